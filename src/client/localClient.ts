/** The embedded local backend, in this process: what the CLI's `--local` and the extension's local backend use. */
import type { AdmissionLimits } from '../backend/local/admission';
import { LocalPlatform } from '../backend/local/localPlatform';
import { Orchestrator } from '../backend/orchestrator';
import { mycliHome } from '../shared/userConfig';
import { InProcessClient } from './inProcessClient';

export async function localOrchestrator(env: NodeJS.ProcessEnv, admission?: AdmissionLimits): Promise<Orchestrator> {
  return new Orchestrator(new LocalPlatform({ home: mycliHome(env), env, ...(admission ? { admission } : {}) }));
}

export async function localClient(env: NodeJS.ProcessEnv): Promise<InProcessClient> {
  return new InProcessClient(await localOrchestrator(env));
}

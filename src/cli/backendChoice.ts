/**
 * Which backend a command talks to: decided by src/client/backendDecision.ts (its header has the
 * precedence, shared with the extension); here the CLI's inputs (`--local`, `--endpoint`) and
 * its words for what to change.
 */
import type { ApiClient } from '../client/apiClient';
import { BackendDecision, BackendWording, decideBackend } from '../client/backendDecision';
import { HttpClient } from '../client/httpClient';
import { localClient } from '../client/localClient';
import { configError } from '../shared/errors';
import { loadUserConfig, userConfigPath } from '../shared/userConfig';
import { progress } from './output';

export interface BackendFlags {
  local?: boolean;
  endpoint?: string;
}

export interface Backend {
  client: ApiClient;
}

export { localOrchestrator } from '../client/localClient';

export function cliWording(env: NodeJS.ProcessEnv): BackendWording {
  return {
    endpointInput: '--endpoint or MYCLI_API_ENDPOINT',
    fixEndpoint: 'deploy the backend (mycli init), set api_endpoint (mycli config set api_endpoint URL), or use --local',
    fixKey: `set MYCLI_API_KEY, or api_key in ${userConfigPath(env)} (printf %s "$KEY" | mycli config set api_key -), or use --local`,
  };
}

/** The CLI's decision, without making a client. */
export async function decideCliBackend(flags: BackendFlags, env: NodeJS.ProcessEnv = process.env): Promise<BackendDecision> {
  if (flags.local && flags.endpoint) throw configError('--local and --endpoint cannot be used together: pick one backend');
  return decideBackend({
    choice: flags.local ? 'local' : 'auto',
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    env,
    user: await loadUserConfig(env),
    userFile: userConfigPath(env),
    wording: cliWording(env),
  });
}

export async function chooseBackend(flags: BackendFlags, env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  const decision = await decideCliBackend(flags, env);
  if (decision.kind === 'local') return { client: await localClient(env) };
  return { client: new HttpClient(decision.endpoint, decision.apiKey, { onWait: progress }) };
}

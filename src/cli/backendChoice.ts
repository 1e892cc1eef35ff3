/**
 * Which backend a command talks to: `--local`, else `--endpoint` / MYCLI_API_ENDPOINT with
 * MYCLI_API_KEY, else the user config, else the embedded local backend.
 */
import type { ApiClient } from '../client/apiClient';
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

export async function chooseBackend(flags: BackendFlags, env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  if (flags.local && flags.endpoint) throw configError('--local and --endpoint cannot be used together: pick one backend');
  const config = await loadUserConfig(env);
  const local = async (): Promise<Backend> => ({ client: await localClient(env) });
  if (flags.local) return local();
  const endpoint = flags.endpoint || env.MYCLI_API_ENDPOINT;
  if (endpoint) {
    const key = env.MYCLI_API_KEY || config.api_key;
    if (!key) throw configError(`no API key for ${endpoint}: set MYCLI_API_KEY or api_key in ${userConfigPath(env)}`);
    return { client: new HttpClient(endpoint, key, { onWait: progress }) };
  }
  if (config.backend === 'local') return local();
  if (config.api_endpoint) {
    if (!config.api_key) throw configError(`${userConfigPath(env)} sets api_endpoint but no api_key: add api_key or set MYCLI_API_KEY`);
    return { client: new HttpClient(config.api_endpoint, env.MYCLI_API_KEY || config.api_key, { onWait: progress }) };
  }
  if (config.backend === 'aws') {
    throw configError(`${userConfigPath(env)} says backend: aws but has no api_endpoint: deploy the backend, or use --local`);
  }
  return local();
}

/**
 * Which backend the extension talks to, from its settings, the user config the CLI reads
 * (~/.mycli/config.yaml) and the API key in SecretStorage. Pure: no `vscode` here.
 */
import { configError } from '../../shared/errors';
import type { UserConfig } from '../../shared/userConfig';

export type BackendSetting = 'auto' | 'local' | 'aws';

export interface BackendSettings {
  backend: BackendSetting;
  /** `mycli.endpoint`: set by Deploy Backend or Configure. */
  endpoint?: string;
}

export type BackendSelection =
  | { kind: 'local'; /** false when nothing chose it: the welcome view then offers local, deploy or an endpoint */ configured: boolean }
  | { kind: 'http'; endpoint: string; apiKey: string };

const HOW_TO_FIX = 'run "mycli: Configure Endpoint and API Key" or "mycli: Deploy Backend", or set mycli.backend to "local"';

export function selectBackend(settings: BackendSettings, user: UserConfig, secretKey: string | undefined, env: NodeJS.ProcessEnv): BackendSelection {
  if (settings.backend === 'local') return { kind: 'local', configured: true };
  const endpoint = settings.endpoint?.trim() || env.MYCLI_API_ENDPOINT || user.api_endpoint;
  if (!endpoint) {
    if (settings.backend === 'aws') throw configError(`mycli.backend is "aws" but no endpoint is set: ${HOW_TO_FIX}`);
    return { kind: 'local', configured: user.backend === 'local' };
  }
  if (settings.backend === 'auto' && !settings.endpoint?.trim() && !env.MYCLI_API_ENDPOINT && user.backend === 'local') {
    return { kind: 'local', configured: true };
  }
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw configError(`the endpoint "${endpoint}" is not an http(s) URL: ${HOW_TO_FIX}`);
  }
  const apiKey = secretKey || env.MYCLI_API_KEY || user.api_key;
  if (!apiKey) throw configError(`no API key for ${endpoint}: ${HOW_TO_FIX}`);
  return { kind: 'http', endpoint, apiKey };
}

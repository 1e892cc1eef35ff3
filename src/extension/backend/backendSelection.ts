/**
 * Which backend the extension talks to: decided by src/client/backendDecision.ts (its header has
 * the precedence, shared with the CLI) from the extension's settings, the user config the CLI
 * reads (~/.mycli/config.yaml) and the API key in SecretStorage. Pure: no `vscode` here.
 */
import { BackendDecision, BackendWording, decideBackend } from '../../client/backendDecision';
import { userConfigPath } from '../../shared/userConfig';
import type { UserConfig } from '../../shared/userConfig';

export type BackendSetting = 'auto' | 'local' | 'aws';

export interface BackendSettings {
  backend: BackendSetting;
  /** `mycli.endpoint`: set by Deploy Backend or Configure. */
  endpoint?: string;
}

export type BackendSelection = BackendDecision;

const HOW_TO_FIX = 'run "mycli: Configure Endpoint and API Key" or "mycli: Deploy Backend", or set mycli.backend to "local"';

export const extensionWording: BackendWording = {
  endpointInput: 'mycli.endpoint',
  remoteChoice: 'mycli.backend is "aws"',
  fixEndpoint: HOW_TO_FIX,
  fixKey: HOW_TO_FIX,
};

export function selectBackend(settings: BackendSettings, user: UserConfig, secretKey: string | undefined, env: NodeJS.ProcessEnv): BackendSelection {
  return decideBackend({
    choice: settings.backend === 'local' ? 'local' : settings.backend === 'aws' ? 'remote' : 'auto',
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(secretKey !== undefined ? { storedKey: secretKey } : {}),
    env,
    user,
    userFile: userConfigPath(env),
    wording: extensionWording,
  });
}

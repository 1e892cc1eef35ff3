/**
 * Which backend a client talks to: the one decision the CLI (`chooseBackend`) and the VS Code
 * extension (`selectBackend`) both make here. Pure: it reads nothing and builds no client; each
 * face gathers the inputs and says, in its own words, how to fix what is missing.
 *
 * Precedence, first match wins:
 *   1. the face's explicit local choice (`--local`; `mycli.backend: local`) → local
 *   2. the face's explicit endpoint (`--endpoint`; `mycli.endpoint`) → that endpoint
 *   3. MYCLI_API_ENDPOINT → that endpoint
 *   4. the user config's `backend: local` (unless the face chose the remote backend explicitly) → local
 *   5. the user config's `api_endpoint` → that endpoint
 *   6. the face chose the remote backend (`mycli.backend: aws`) or the user config says
 *      `backend: aws`, and no endpoint is known → a config error that says what to do
 *   7. nothing → local, not configured (the extension's welcome view then offers the choices)
 * The API key for an endpoint: the face's stored key (the extension's SecretStorage), else
 * MYCLI_API_KEY, else the user config's `api_key`; none is a config error.
 */
import { configError } from '../shared/errors';
import type { UserConfig } from '../shared/userConfig';

export type BackendDecision =
  | { kind: 'local'; /** false when nothing chose it: the welcome view then offers local, deploy or an endpoint */ configured: boolean }
  | { kind: 'http'; endpoint: string; apiKey: string };

/** How a face names its own inputs and remedies, for the errors' "what to change". */
export interface BackendWording {
  /** The face's explicit endpoint, e.g. '--endpoint' or 'mycli.endpoint'. */
  endpointInput: string;
  /** The face's explicit remote choice, e.g. 'mycli.backend is "aws"' (the CLI has none). */
  remoteChoice?: string;
  /** What to do when the remote backend is wanted but no endpoint is known. */
  fixEndpoint: string;
  /** What to do when an endpoint has no API key. */
  fixKey: string;
}

export interface BackendInputs {
  /** The face's explicit choice: 'remote' insists on an endpoint, 'auto' follows the precedence. */
  choice: 'auto' | 'local' | 'remote';
  /** The face's explicit endpoint. */
  endpoint?: string;
  /** An API key the face keeps itself (SecretStorage). */
  storedKey?: string;
  env: NodeJS.ProcessEnv;
  user: UserConfig;
  /** The user config's path, for messages. */
  userFile: string;
  wording: BackendWording;
}

const given = (s: string | undefined): string | undefined => (s && s.trim() !== '' ? s.trim() : undefined);

export function decideBackend(inp: BackendInputs): BackendDecision {
  const { user, env, wording } = inp;
  if (inp.choice === 'local') return { kind: 'local', configured: true };
  const endpoints: Array<[string | undefined, string]> = [
    [given(inp.endpoint), wording.endpointInput],
    [given(env.MYCLI_API_ENDPOINT), 'MYCLI_API_ENDPOINT'],
  ];
  let found = endpoints.find(([e]) => e !== undefined);
  if (!found && inp.choice === 'auto' && user.backend === 'local') return { kind: 'local', configured: true };
  if (!found && given(user.api_endpoint)) found = [given(user.api_endpoint), `api_endpoint in ${inp.userFile}`];
  if (!found) {
    if (inp.choice === 'remote') throw configError(`${wording.remoteChoice ?? 'the remote backend is chosen'} but no endpoint is set: ${wording.fixEndpoint}`);
    if (user.backend === 'aws') throw configError(`${inp.userFile} says backend: aws but has no api_endpoint: ${wording.fixEndpoint}`);
    return { kind: 'local', configured: false };
  }
  const [endpoint, from] = found as [string, string];
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw configError(`the endpoint "${endpoint}" (${from}) is not an http(s) URL: use e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/execute`);
  }
  const apiKey = given(inp.storedKey) ?? given(env.MYCLI_API_KEY) ?? given(user.api_key);
  if (!apiKey) throw configError(`no API key for ${endpoint} (${from}): ${wording.fixKey}`);
  return { kind: 'http', endpoint, apiKey };
}

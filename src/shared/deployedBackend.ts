/**
 * What a deploy and a destroy of the AWS backend leave in the user config, the same from the CLI
 * (`mycli init` / `mycli destroy`) and the extension (Deploy / Destroy Backend): after a deploy it
 * names the backend; after a destroy it no longer names the deleted endpoint, so no face falls
 * back to it (src/client/backendDecision.ts reads the user config's `api_endpoint`).
 */
import { loadUserConfig, saveUserConfig, UserConfig } from './userConfig';

export interface DeployedBackend {
  endpoint: string;
  region: string;
  profile?: string;
  /**
   * A newly generated API key, to keep in the file (the CLI). The extension keeps its key in
   * SecretStorage and leaves this out; a key the file already has for the same endpoint stays.
   */
  apiKey?: string;
}

/** Writes `backend: aws`, `api_endpoint`, `region` (and `profile`, `api_key` when given). Returns the file and what it now holds. */
export async function saveDeployedBackend(d: DeployedBackend, env: NodeJS.ProcessEnv = process.env): Promise<{ file: string; config: UserConfig }> {
  const before = await loadUserConfig(env);
  const { api_key: oldKey, ...rest } = before;
  // a key of the file was made for its endpoint: with another endpoint it would only be refused
  const keep = oldKey !== undefined && (before.api_endpoint === undefined || before.api_endpoint === d.endpoint) ? { api_key: oldKey } : {};
  const next: UserConfig = {
    ...rest,
    ...keep,
    backend: 'aws',
    api_endpoint: d.endpoint,
    region: d.region,
    ...(d.profile ? { profile: d.profile } : {}),
    ...(d.apiKey ? { api_key: d.apiKey } : {}),
  };
  return { file: await saveUserConfig(next, env), config: next };
}

/**
 * After a destroy: removes `backend: aws` with `api_endpoint` and `api_key`, and also an
 * `api_endpoint` (and its key) that is the endpoint just destroyed (`endpoint`, as the face knew
 * it); an endpoint of another kind (a teammate's `mycli serve`) stays, and so do region and
 * profile, for the next deploy. Returns whether it removed anything.
 */
export async function clearDeployedBackend(env: NodeJS.ProcessEnv = process.env, endpoint?: string): Promise<boolean> {
  const config = await loadUserConfig(env);
  const destroyed = endpoint !== undefined && endpoint !== '' && config.api_endpoint === endpoint;
  if (config.backend !== 'aws' && !destroyed) return false;
  const { api_endpoint: _e, api_key: _k, ...rest } = config;
  if (rest.backend === 'aws') delete rest.backend;
  await saveUserConfig(rest, env);
  return true;
}

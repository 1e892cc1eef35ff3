/** The user's own settings: `$MYCLI_HOME/config.yaml` (MYCLI_HOME defaults to ~/.mycli), kept 0600. */
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import schema from '../../schemas/config.schema.json';
import { writeFileAtomic } from './atomicFile';
import { configError } from './errors';
import { atKey, parseYaml, validateYaml } from './yamlFile';

export interface GitCredentialsConfig {
  github_token?: string;
  gitlab_token?: string;
  ssh_private_key?: string;
  ssh_private_key_file?: string;
}

export interface UserConfig {
  backend?: 'aws' | 'local';
  api_endpoint?: string;
  api_key?: string;
  region?: string;
  profile?: string;
  git?: GitCredentialsConfig;
}

export function mycliHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.MYCLI_HOME && env.MYCLI_HOME.trim() !== '' ? env.MYCLI_HOME : join(homedir(), '.mycli');
}

export const userConfigPath = (env: NodeJS.ProcessEnv = process.env): string => join(mycliHome(env), 'config.yaml');

export function parseUserConfig(file: string, text: string): UserConfig {
  const src = parseYaml(file, text);
  const config = validateYaml<UserConfig>(src, schema);
  if (config.api_endpoint !== undefined) {
    atKey(src, ['api_endpoint'], () => {
      const url = URL.canParse(config.api_endpoint!) ? new URL(config.api_endpoint!) : undefined;
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
        throw configError(`api_endpoint "${config.api_endpoint}" must be an http(s) URL`);
      }
    });
  }
  return config;
}

export async function loadUserConfig(env: NodeJS.ProcessEnv = process.env): Promise<UserConfig> {
  const file = userConfigPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw configError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseUserConfig(file, text);
}

/** Writes the user config with mode 0600 (its folder 0700): it can hold an API key and tokens. */
export async function saveUserConfig(config: UserConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const home = mycliHome(env);
  await mkdir(home, { recursive: true, mode: 0o700 });
  await chmod(home, 0o700); // mkdir's mode applies only to a folder it creates
  const file = userConfigPath(env);
  await writeFileAtomic(file, (require('yaml') as typeof import('yaml')).stringify(config), 0o600);
  await chmod(file, 0o600);
  return file;
}

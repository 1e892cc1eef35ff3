/**
 * Git credentials for local runs: the environment (GITHUB_TOKEN, GITLAB_TOKEN, SSH_PRIVATE_KEY
 * as base64) wins over the user config's `git` section. They are handed to the executor's
 * clone step only, never stored in execution state.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { configError } from '../../shared/errors';
import type { UserConfig } from '../../shared/userConfig';

export interface GitCredentials {
  GITHUB_TOKEN?: string;
  GITLAB_TOKEN?: string;
  SSH_PRIVATE_KEY?: string;
}

export async function resolveGitCredentials(env: NodeJS.ProcessEnv, config: UserConfig): Promise<GitCredentials> {
  const git = config.git ?? {};
  const out: GitCredentials = {};
  const github = env.GITHUB_TOKEN || git.github_token;
  const gitlab = env.GITLAB_TOKEN || git.gitlab_token;
  if (github) out.GITHUB_TOKEN = github;
  if (gitlab) out.GITLAB_TOKEN = gitlab;
  let key = env.SSH_PRIVATE_KEY || git.ssh_private_key;
  if (!key && git.ssh_private_key_file) {
    try {
      key = (await readFile(git.ssh_private_key_file.replace(/^~(?=\/)/, homedir()))).toString('base64');
    } catch (err) {
      throw configError(`cannot read git.ssh_private_key_file ${git.ssh_private_key_file}: ${(err as Error).message}`);
    }
  }
  if (key) out.SSH_PRIVATE_KEY = key;
  return out;
}

/** Every credential value, for masking anything that could reach a log or an error. */
export function secretValues(creds: GitCredentials): string[] {
  const values = Object.values(creds).filter((v): v is string => typeof v === 'string' && v.length >= 4);
  if (creds.SSH_PRIVATE_KEY) values.push(Buffer.from(creds.SSH_PRIVATE_KEY, 'base64').toString('utf8'));
  return values;
}

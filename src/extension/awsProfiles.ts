/** Profile names from the AWS shared config and credentials files, for the Deploy picker. Pure I/O on two files. */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Section names of an INI text: `[profile x]` (config) and `[x]` (credentials) both give x. */
export function profileNames(text: string): string[] {
  // `[sso-session x]` and `[services x]` have two words and so do not match.
  return [...text.matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)].map((m) => m[1]!);
}

export async function awsProfiles(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const files = [env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config'), env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials')];
  const names = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const n of profileNames(text)) names.add(n);
  }
  return [...names];
}

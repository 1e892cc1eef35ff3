/**
 * `mycli config`: view and edit the user config ($MYCLI_HOME/config.yaml). Every change is
 * validated exactly like loading (schema + api_endpoint URL check) before the file is written,
 * 0600, through saveUserConfig. Secrets are masked on output unless `get --show-secret`.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { Command } from 'commander';
import { configError, invalid, MycliError } from '../../shared/errors';
import { parseUserConfig, saveUserConfig, userConfigPath } from '../../shared/userConfig';
import type { UserConfig } from '../../shared/userConfig';
import { progress } from '../output';

export const CONFIG_KEYS = [
  'backend',
  'api_endpoint',
  'api_key',
  'region',
  'profile',
  'git.github_token',
  'git.gitlab_token',
  'git.ssh_private_key',
  'git.ssh_private_key_file',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

const SECRETS: ReadonlySet<ConfigKey> = new Set<ConfigKey>(['api_key', 'git.github_token', 'git.gitlab_token', 'git.ssh_private_key']);

/** Environment variables that win over a key of the file (backendChoice.ts, credentials.ts). */
const ENV_OVERRIDES: Partial<Record<ConfigKey, string>> = {
  api_endpoint: 'MYCLI_API_ENDPOINT',
  api_key: 'MYCLI_API_KEY',
  'git.github_token': 'GITHUB_TOKEN',
  'git.gitlab_token': 'GITLAB_TOKEN',
  'git.ssh_private_key': 'SSH_PRIVATE_KEY',
  'git.ssh_private_key_file': 'SSH_PRIVATE_KEY',
};

/** A secret as it may be shown: its last 4 characters, and nothing of a short one. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `****${value.slice(-4)}` : '****';
}

function configKey(key: string): ConfigKey {
  if ((CONFIG_KEYS as readonly string[]).includes(key)) return key as ConfigKey;
  throw invalid(`unknown key "${key}": use one of ${CONFIG_KEYS.join(', ')}`, key);
}

type Plain = Record<string, unknown>;

function valueOf(config: UserConfig, key: ConfigKey): string | undefined {
  const [head, leaf] = key.split('.') as [string, string | undefined];
  const v = leaf === undefined ? (config as Plain)[head] : ((config as Plain)[head] as Plain | undefined)?.[leaf];
  return typeof v === 'string' ? v : undefined;
}

/** A copy of `config` with `key` set to `value`, or removed when value is undefined (an emptied `git:` goes too). */
function withValue(config: UserConfig, key: ConfigKey, value: string | undefined): UserConfig {
  const next: Plain = { ...config };
  const [head, leaf] = key.split('.') as [string, string | undefined];
  if (leaf === undefined) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next as UserConfig;
  }
  const section: Plain = { ...((next[head] as Plain | undefined) ?? {}) };
  if (value === undefined) delete section[leaf];
  else section[leaf] = value;
  if (Object.keys(section).length) next[head] = section;
  else delete next[head];
  return next as UserConfig;
}

function shown(key: ConfigKey, value: string, showSecret = false): string {
  return SECRETS.has(key) && !showSecret ? maskSecret(value) : value;
}

interface ConfigFile {
  file: string;
  exists: boolean;
  text: string;
  config: UserConfig;
}

/** Reads and validates the file as loadUserConfig does, keeping its text (to tell whether it has comments). */
async function readConfig(env: NodeJS.ProcessEnv = process.env): Promise<ConfigFile> {
  const file = userConfigPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, exists: false, text: '', config: {} };
    throw configError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return { file, exists: true, text, config: parseUserConfig(file, text) };
}

const yaml = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

function hasComments(text: string): boolean {
  for (const token of new (yaml().Lexer)().lex(text)) if (token.startsWith('#')) return true;
  return false;
}

/** Validates the new config with the loader's own rules; on error, one line saying what to change. */
function validated(key: ConfigKey, next: UserConfig, file: string): UserConfig {
  const label = '<new config>';
  try {
    return parseUserConfig(label, yaml().stringify(next));
  } catch (err) {
    if (!(err instanceof MycliError)) throw err;
    const why = err.message.startsWith(`${label}:`) ? err.message.replace(/^[^:]*:\d+: /, '') : err.message;
    throw invalid(`cannot set ${key}: ${why}; ${file} is unchanged`, key);
  }
}

async function write(current: ConfigFile, next: UserConfig): Promise<string> {
  if (current.exists && hasComments(current.text)) progress(`note: ${current.file} is rewritten: its comments are not kept`);
  return saveUserConfig(next);
}

async function readStdin(key: ConfigKey): Promise<string> {
  if (process.stdin.isTTY) progress(`paste the value of ${key}, then press Enter and Ctrl-D`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+$/, '');
}

/** The value to store: from stdin for `-`; one line; the SSH key as base64 without line breaks. */
async function valueToSet(key: ConfigKey, arg: string): Promise<string> {
  let value = arg === '-' ? await readStdin(key) : arg;
  if (key === 'git.ssh_private_key') {
    if (value.includes('PRIVATE KEY')) {
      throw invalid('git.ssh_private_key takes the key as base64 (base64 -w0 KEYFILE | mycli config set git.ssh_private_key -), or set git.ssh_private_key_file to its path');
    }
    value = value.replace(/\s+/g, '');
  }
  if (value.trim() === '') {
    throw invalid(arg === '-'
      ? `no value for ${key} on stdin: pipe it in, e.g. printf %s "$VALUE" | mycli config set ${key} -`
      : `the value of ${key} is empty: to remove it, run mycli config unset ${key}`);
  }
  if (/[\r\n]/.test(value)) throw invalid(`the value of ${key} must be one line`);
  return value;
}

/** Notes after a change: what wins over it, what it still needs. */
function hints(key: ConfigKey, next: UserConfig, fromStdin: boolean): void {
  const override = ENV_OVERRIDES[key];
  if (override && process.env[override]) progress(`note: ${override} is set in the environment and wins over ${key}`);
  if (SECRETS.has(key) && !fromStdin) {
    progress(`tip: to keep a secret out of your shell history, pipe it in: printf %s "$VALUE" | mycli config set ${key} -`);
  }
  if (key === 'git.ssh_private_key_file' && next.git?.ssh_private_key_file) {
    const path = next.git.ssh_private_key_file.replace(/^~(?=\/)/, homedir());
    if (!existsSync(path)) progress(`note: ${next.git.ssh_private_key_file} does not exist (yet)`);
  }
  if (key.startsWith('git.ssh_private_key') && next.git?.ssh_private_key && next.git.ssh_private_key_file) {
    progress('note: git.ssh_private_key wins over git.ssh_private_key_file while both are set');
  }
  if (next.backend === 'aws' && !next.api_endpoint) progress('note: backend aws needs api_endpoint: mycli config set api_endpoint https://...');
  if (next.api_endpoint && !next.api_key && (key === 'api_endpoint' || key === 'backend')) {
    progress('note: api_endpoint needs an API key: printf %s "$KEY" | mycli config set api_key -');
  }
}

const KEYS_HELP = `
Keys: ${CONFIG_KEYS.join(', ')}.
Secrets (${[...SECRETS].join(', ')}) are shown masked, as ****abcd.
The file is $MYCLI_HOME/config.yaml (MYCLI_HOME defaults to ~/.mycli), written with mode 0600.`;

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('View and edit the user config ($MYCLI_HOME/config.yaml)')
    .addHelpText(
      'after',
      `${KEYS_HELP}

Examples:
  mycli config list
  mycli config set backend local
  printf %s "$GITHUB_TOKEN" | mycli config set git.github_token -
  mycli config get api_endpoint
  mycli config unset api_key`,
    );

  config
    .command('path')
    .description('Print the path of the user config file')
    .addHelpText('after', '\nExample:\n  $EDITOR "$(mycli config path)"')
    .action(() => {
      process.stdout.write(`${userConfigPath()}\n`);
    });

  config
    .command('list')
    .description('Print the settings of the user config, one "key: value" a line (secrets masked)')
    .option('--json', 'print them as JSON, shaped like the file (secrets masked)')
    .addHelpText('after', `${KEYS_HELP}\n\nExamples:\n  mycli config list\n  mycli config list --json`)
    .action(async (flags: { json?: boolean }) => {
      const current = await readConfig();
      if (!current.exists) progress(`${current.file} does not exist yet; create it with: mycli config set <key> <value>`);
      const set = CONFIG_KEYS.flatMap((key) => {
        const value = valueOf(current.config, key);
        return value === undefined ? [] : [{ key, value: shown(key, value) }];
      });
      if (flags.json) {
        const out = set.reduce<UserConfig>((acc, { key, value }) => withValue(acc, key, value), {});
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(set.map(({ key, value }) => `${key}: ${value}\n`).join(''));
      }
      const envs = new Set<string>();
      for (const key of CONFIG_KEYS) {
        const name = ENV_OVERRIDES[key];
        if (name && process.env[name] && !envs.has(name)) {
          envs.add(name);
          progress(`note: ${name} is set in the environment and wins over ${key}${name === 'SSH_PRIVATE_KEY' ? ' and git.ssh_private_key_file' : ''}`);
        }
      }
    });

  config
    .command('get')
    .description('Print the value of one key (secrets masked unless --show-secret)')
    .argument('<key>', `one of ${CONFIG_KEYS.join(', ')}`)
    .option('--show-secret', 'print a secret in clear')
    .addHelpText(
      'after',
      `\nExit status: 0 when the key is set, 1 when it is not, 2 for an unknown key.

Examples:
  mycli config get backend
  mycli config get api_key --show-secret | pbcopy`,
    )
    .action(async (name: string, flags: { showSecret?: boolean }) => {
      const key = configKey(name);
      const current = await readConfig();
      const value = valueOf(current.config, key);
      const override = ENV_OVERRIDES[key];
      const fromEnv = override && process.env[override] ? ` (${override} in the environment is used instead)` : '';
      if (value === undefined) throw new MycliError('not_found', `${key} is not set in ${current.file}${fromEnv}`, key);
      if (fromEnv) progress(`note: ${override} is set in the environment and wins over ${key}`);
      process.stdout.write(`${shown(key, value, flags.showSecret)}\n`);
    });

  config
    .command('set')
    .description('Set one key, after checking the value as loading the file would')
    .argument('<key>', `one of ${CONFIG_KEYS.join(', ')}`)
    .argument('<value>', 'the value; - reads it from stdin (keeps secrets out of your shell history)')
    .addHelpText(
      'after',
      `${KEYS_HELP}

Examples:
  mycli config set backend local
  mycli config set api_endpoint https://abc.execute-api.us-east-1.amazonaws.com/prod/execute
  printf %s "$API_KEY" | mycli config set api_key -
  printf %s "$GITHUB_TOKEN" | mycli config set git.github_token -
  base64 -w0 ~/.ssh/id_ed25519_deploy | mycli config set git.ssh_private_key -
  mycli config set git.ssh_private_key_file ~/.ssh/id_ed25519_deploy`,
    )
    .action(async (name: string, arg: string) => {
      const key = configKey(name);
      const current = await readConfig();
      const value = await valueToSet(key, arg);
      const next = validated(key, withValue(current.config, key, value), current.file);
      const file = await write(current, next);
      progress(`set ${key} in ${file}`);
      hints(key, next, arg === '-');
    });

  config
    .command('unset')
    .description('Remove one key from the user config')
    .argument('<key>', `one of ${CONFIG_KEYS.join(', ')}`)
    .addHelpText('after', '\nExamples:\n  mycli config unset api_key\n  mycli config unset git.github_token')
    .action(async (name: string) => {
      const key = configKey(name);
      const current = await readConfig();
      if (valueOf(current.config, key) === undefined) {
        progress(`${key} is not set in ${current.file}; nothing to do`);
        return;
      }
      const next = validated(key, withValue(current.config, key, undefined), current.file);
      const file = await write(current, next);
      progress(`unset ${key} in ${file}`);
    });
}

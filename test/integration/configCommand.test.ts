/**
 * `mycli config` through the real, built CLI (dist/cli.js) with a fresh MYCLI_HOME: the file is
 * written 0600 in a 0700 folder, values round-trip, secrets never show in clear unless asked,
 * invalid values are refused with the file unchanged, and the settings are what other commands use.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, cliEnv, mycli, ROOT } from '../support/cli';
import { makeTempDir, removeDir } from '../support/gitRepos';
import { run } from '../support/proc';

const TOKEN = 'ghp_testtoken_0123456789abcdef';
const VALID_KEYS = ['backend', 'api_endpoint', 'api_key', 'region', 'profile', 'git.github_token', 'git.gitlab_token', 'git.ssh_private_key', 'git.ssh_private_key_file'];

describe('mycli config', function () {
  this.timeout(30000);
  let tmp: string;
  let n = 0;
  let home: string;
  let file: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    tmp = await makeTempDir('mycli-config-');
  });
  after(async () => {
    if (tmp) await removeDir(tmp);
  });
  beforeEach(() => {
    // A MYCLI_HOME that does not exist yet: `set` must create it.
    home = join(tmp, `home${n++}`, '.mycli');
    file = join(home, 'config.yaml');
    env = cliEnv({ MYCLI_HOME: home });
  });

  /** `mycli config args…`; with `input`, that is piped to its stdin (mycli() always sends none). */
  const config = (args: string[], input?: string) =>
    input === undefined
      ? mycli(['config', ...args], { env })
      : run(process.execPath, [CLI, 'config', ...args], { env, cwd: ROOT, input, allowFail: true, timeoutMs: 30000 });

  async function ok(args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    const r = await config(args, input);
    assert.equal(r.code, 0, `mycli config ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r;
  }

  /** Refused as invalid input: exit 2, one `mycli: error:` line, nothing printed on stdout. */
  async function refused(args: string[], mentions: RegExp): Promise<string> {
    const r = await config(args);
    assert.equal(r.code, 2, `expected exit 2, got ${r.code}\n${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^mycli: error: /);
    assert.match(lines[0]!, mentions);
    return lines[0]!;
  }

  it('path prints $MYCLI_HOME/config.yaml; list says when the file does not exist yet', async () => {
    assert.equal((await ok(['path'])).stdout, `${file}\n`);
    const list = await ok(['list']);
    assert.equal(list.stdout, '');
    assert.match(list.stderr, /does not exist yet/);
    assert.deepEqual(JSON.parse((await ok(['list', '--json'])).stdout), {});
    assert.equal(existsSync(home), false, 'reading the config does not create it');
  });

  it('set writes the file 0600 in a 0700 folder; get round-trips; set says where', async () => {
    const r = await ok(['set', 'region', 'eu-west-1']);
    assert.match(r.stderr, new RegExp(`set region in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(home).mode & 0o777, 0o700);
    await ok(['set', 'backend', 'local']);
    await ok(['set', 'api_endpoint', 'https://abc.execute-api.us-east-1.amazonaws.com/prod/execute']);
    await ok(['set', 'git.ssh_private_key_file', '~/.ssh/id_ed25519_deploy']);
    await ok(['set', 'profile', '123']); // stays a string, not a YAML number
    assert.equal((await ok(['get', 'region'])).stdout, 'eu-west-1\n');
    assert.equal((await ok(['get', 'backend'])).stdout, 'local\n');
    assert.equal((await ok(['get', 'api_endpoint'])).stdout, 'https://abc.execute-api.us-east-1.amazonaws.com/prod/execute\n');
    assert.equal((await ok(['get', 'git.ssh_private_key_file'])).stdout, '~/.ssh/id_ed25519_deploy\n');
    assert.equal((await ok(['get', 'profile'])).stdout, '123\n');
    assert.equal(statSync(file).mode & 0o777, 0o600, 'still 0600 after rewrites');
    assert.equal(
      (await ok(['list'])).stdout,
      'backend: local\napi_endpoint: https://abc.execute-api.us-east-1.amazonaws.com/prod/execute\nregion: eu-west-1\nprofile: 123\ngit.ssh_private_key_file: ~/.ssh/id_ed25519_deploy\n',
    );
  });

  it('secrets are masked in list, list --json and get; get --show-secret prints them; stdin "-" keeps them off the command line', async () => {
    const set = await ok(['set', 'git.github_token', '-'], `${TOKEN}\n`);
    assert.ok(!set.stdout.includes(TOKEN) && !set.stderr.includes(TOKEN), 'set does not echo the token');
    await ok(['set', 'api_key', '-'], 'key-abcdefghijkl-9876');
    await ok(['set', 'git.gitlab_token', 'short']); // too short to show any of it
    assert.match(readFileSync(file, 'utf8'), new RegExp(`github_token: ${TOKEN}\\n`), 'stored without the newline');

    const list = await ok(['list']);
    const json = await ok(['list', '--json']);
    const get = await ok(['get', 'git.github_token']);
    for (const r of [list, json, get]) {
      assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), `clear token in:\n${r.stdout}${r.stderr}`);
      assert.ok(!r.stdout.includes('key-abcdefghijkl') && !r.stdout.includes('short'), r.stdout);
    }
    assert.equal(list.stdout, 'api_key: ****9876\ngit.github_token: ****cdef\ngit.gitlab_token: ****\n');
    assert.deepEqual(JSON.parse(json.stdout), { api_key: '****9876', git: { github_token: '****cdef', gitlab_token: '****' } });
    assert.equal(get.stdout, '****cdef\n');
    assert.equal((await ok(['get', 'git.github_token', '--show-secret'])).stdout, `${TOKEN}\n`);
  });

  it('set with "-" and nothing on stdin is refused', async () => {
    await refused(['set', 'api_key', '-'], /no value for api_key on stdin/);
    assert.equal(existsSync(file), false);
  });

  it('invalid backend, api_endpoint or key: exit 2, one line saying what to change, file unchanged', async () => {
    await ok(['set', 'backend', 'local']);
    await ok(['set', 'api_endpoint', 'https://api.example.com/execute']);
    const before = readFileSync(file, 'utf8');

    assert.match(await refused(['set', 'backend', 'gcp'], /backend/), /"aws", "local"/);
    assert.match(await refused(['set', 'api_endpoint', 'ftp://api.example.com'], /api_endpoint/), /http\(s\) URL/);
    await refused(['set', 'api_endpoint', 'not a url'], /http\(s\) URL/);
    for (const args of [['set', 'backnd', 'local'], ['get', 'backnd'], ['unset', 'backnd'], ['set', 'git', 'x']]) {
      const line = await refused(args, /unknown key/);
      for (const k of VALID_KEYS) assert.ok(line.includes(k), `${line} lists ${k}`);
    }
    assert.equal(readFileSync(file, 'utf8'), before, 'the file is unchanged');
  });

  it('get of a key that is not set exits 1 and says so', async () => {
    await ok(['set', 'backend', 'local']);
    const r = await config(['get', 'api_key']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /api_key is not set/);
  });

  it('unset removes a key (and an emptied git: section); unset of an absent key is a no-op', async () => {
    await ok(['set', 'backend', 'local']);
    await ok(['set', 'git.github_token', '-'], TOKEN);
    await ok(['unset', 'git.github_token']);
    assert.equal((await config(['get', 'git.github_token'])).code, 1);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /git:|github_token/);
    assert.equal((await ok(['list'])).stdout, 'backend: local\n');
    const again = await ok(['unset', 'git.github_token']);
    assert.match(again.stderr, /not set/);
    await ok(['unset', 'backend']);
    assert.equal((await ok(['list'])).stdout, '');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('a broken config file is reported with its line, and set does not overwrite it', async () => {
    await mkdir(home, { recursive: true });
    await writeFile(file, 'backend: local\ntimout: 5\n');
    const r = await config(['set', 'region', 'us-east-1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`config\\.yaml:2: unknown key "timout"`));
    assert.equal(readFileSync(file, 'utf8'), 'backend: local\ntimout: 5\n');
  });

  it('every subcommand has --help with examples', async () => {
    for (const sub of ['path', 'list', 'get', 'set', 'unset']) {
      const r = await ok([sub, '--help']);
      assert.match(r.stdout, new RegExp(`Usage: mycli config ${sub}`));
      assert.match(r.stdout, /Example/);
    }
    assert.match((await ok(['--help'])).stdout, /Keys: backend, api_endpoint/);
  });

  it('mycli list uses the backend the config sets', async () => {
    // An endpoint nothing listens on: with it alone, `list` fails to reach the API ...
    await ok(['set', 'api_endpoint', 'http://127.0.0.1:9/execute']);
    await ok(['set', 'api_key', '-'], 'unused-key-0123456789');
    const remote = await mycli(['list'], { env });
    assert.equal(remote.code, 3, `the unreachable endpoint is used: ${remote.stderr}`);
    // ... and `backend: local` makes it use the local backend instead.
    await ok(['set', 'backend', 'local']);
    const local = await mycli(['list'], { env });
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stderr, /no executions yet/);
    // backend: aws with no endpoint is a configuration error that says what to do.
    await ok(['unset', 'api_endpoint']);
    await ok(['set', 'backend', 'aws']);
    const aws = await mycli(['list'], { env });
    assert.equal(aws.code, 2);
    assert.match(aws.stderr, /backend: aws but has no api_endpoint/);
  });
});

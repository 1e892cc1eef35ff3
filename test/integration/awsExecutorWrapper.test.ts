/**
 * The AWS task's executor container, run here as it runs there: the template's wrapper as the
 * first process (PID 1) of a PID namespace, with the Git credentials in its environment as ECS
 * puts them, unpacking docker/entrypoint.sh from MYCLI_ENTRYPOINT_GZ as the build packs it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';

const ROOT = resolve(__dirname, '../..');
const TOKEN = `ghp_${'7'.repeat(36)}`;
const KEY = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n').toString('base64');

/** `unshare` flags for a PID namespace of our own, as root or through a user namespace. */
function namespaceFlags(): string[] | undefined {
  const flags = [...(process.getuid?.() === 0 ? [] : ['--user', '--map-root-user']), '--pid', '--fork', '--kill-child', '--mount-proc'];
  return spawnSync('unshare', [...flags, 'true']).status === 0 ? flags : undefined;
}

describe('the AWS executor container: wrapper and entrypoint as PID 1', function () {
  this.timeout(60000);
  let root: string;
  let repo: string;

  before(async () => {
    root = await makeTempDir('mycli-awswrapper-');
    repo = (await makeBareRepo(root, 'app', { main: { 'README.md': 'app\n' } })).bareDir;
  });

  after(async () => {
    await removeDir(root);
  });

  function runTask(command: string): { code: number | null; stdout: string; stderr: string } {
    const flags = namespaceFlags();
    if (!flags) throw new Error('unshare cannot make a PID namespace here');
    const workspace = join(root, `ws-${Date.now()}`);
    execFileSync('mkdir', ['-p', workspace]);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: root,
      MYCLI_ENTRYPOINT_GZ: gzipSync(readFileSync(join(ROOT, 'docker/entrypoint.sh'))).toString('base64'),
      GITHUB_TOKEN: TOKEN,
      GITLAB_TOKEN: TOKEN,
      SSH_PRIVATE_KEY: KEY,
      REPO_URL: repo,
      USER_COMMAND: command,
      MYCLI_WORKSPACE: workspace,
    };
    const wrapper = readFileSync(join(ROOT, 'cloudformation/executor-wrapper.sh'), 'utf8');
    const r = spawnSync('unshare', [...flags, '--', 'bash', '-c', wrapper], { env, encoding: 'utf8', timeout: 30000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('the command finds no Git credential in any process environment, PID 1 included', () => {
    const r = runTask('for f in /proc/[0-9]*/environ; do base64 -w0 "$f"; echo; done; tr "\\0" "\\n" </proc/1/environ');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').map((line) => (/^[A-Za-z0-9+/=]+$/.test(line) ? Buffer.from(line, 'base64').toString('latin1') : line));
    const seen = lines.join('\n');
    // PID 1's (read by tr at the end) and those the loop read (base64), the command's own among them
    assert.ok(lines.filter((l) => l.includes('\0') && l.includes('PATH=')).length >= 2, `the environments were read:\n${r.stdout}`);
    for (const secret of [TOKEN, KEY, 'GITHUB_TOKEN', 'SSH_PRIVATE_KEY']) assert.ok(!seen.includes(secret), `${secret.slice(0, 15)}... is not in any environ`);
  });

  it('the log ends with "mycli: exit N" once, the command\'s exit code', () => {
    const r = runTask('echo hello; exit 7');
    assert.equal(r.code, 7, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), 'mycli: exit 7');
    assert.equal(lines.filter((l) => l.startsWith('mycli: exit')).length, 1);
    assert.ok(lines.includes('hello'));
  });
});

// Integration tests for docker/entrypoint.sh: the real script, run with bash against real
// Git repositories made in a temp dir (local paths, file:// URLs, a local smart-HTTP server
// with basic auth, and a fake `ssh`).
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startGitHttpServer, type GitHttpServer } from './entrypoint/git-http-server';

const SCRIPT = path.resolve(__dirname, '../../docker/entrypoint.sh');
const FAKE_SSH = path.resolve(__dirname, 'entrypoint/fake-ssh.sh');

const hex = (n: number): string => randomBytes(n).toString('hex');
const GH_TOKEN = `ghp_${hex(16)}`;
const GL_TOKEN = `glpat-${hex(10)}`;
const KEY_LINES = [hex(32), hex(32), hex(16)];
const SSH_KEY = ['-----BEGIN OPENSSH PRIVATE KEY-----', ...KEY_LINES, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
const SSH_KEY_B64 = Buffer.from(SSH_KEY).toString('base64');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** what the script wrote on MYCLI_MESSAGE_FD (with opts.messageFd) */
  messages: string;
  ms: number;
  /** stdout/stderr were still held open 3s after the script exited: something was left running */
  pipesHeldOpen: boolean;
  phase: string | null;
  ws: string;
  tmp: string;
}

interface RunOpts {
  /** default true: the script leads its own process group, as the local platform runs it */
  detached?: boolean;
  /** reuse a workspace (MYCLI_MODE=run after MYCLI_MODE=clone) */
  ws?: string;
  /** run the script under this command, e.g. unshare */
  wrap?: string[];
  onStart?: (child: ChildProcess, ws: string, tmp: string) => void | Promise<void>;
  /** written to the script's stdin, which is then closed (default: no stdin) */
  input?: string;
  /** give the script a pipe on fd 3 and MYCLI_MESSAGE_FD=3 */
  messageFd?: boolean;
}

let root = '';
let home = '';
let server: GitHttpServer;

function makeDir(prefix: string): string {
  return fs.mkdtempSync(path.join(root, prefix));
}

function run(over: Record<string, string | undefined>, opts: RunOpts = {}): Promise<Run> {
  const ws = opts.ws ?? makeDir('ws-');
  const tmp = makeDir('tmp-');
  const phaseFile = path.join(ws, 'phase');
  try {
    fs.rmSync(phaseFile, { force: true });
  } catch {
    /* fresh workspace */
  }
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    TMPDIR: tmp,
    GIT_CONFIG_NOSYSTEM: '1',
    MYCLI_WORKSPACE: ws,
    MYCLI_PHASE_FILE: phaseFile,
    ...(opts.messageFd ? { MYCLI_MESSAGE_FD: '3' } : {}),
    ...over,
  };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;

  const detached = opts.detached ?? true;
  const started = Date.now();
  const argv = [...(opts.wrap ?? []), 'bash', SCRIPT];
  const stdio: Array<'ignore' | 'pipe'> = [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(opts.messageFd ? ['pipe' as const] : [])];
  const child = spawn(argv[0], argv.slice(1), { env, detached, stdio });
  let stdout = '';
  let stderr = '';
  let messages = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (opts.messageFd) (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (d: string) => (messages += d));
  if (opts.input !== undefined) child.stdin!.end(opts.input);

  return new Promise<Run>((resolve, reject) => {
    let exited: { code: number | null; signal: NodeJS.Signals | null; ms: number } | null = null;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (pipesHeldOpen: boolean): void => {
      if (done || !exited) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (pipesHeldOpen && detached) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      let phase: string | null = null;
      try {
        phase = fs.readFileSync(phaseFile, 'utf8');
      } catch {
        phase = null;
      }
      resolve({ ...exited, stdout, stderr, messages, pipesHeldOpen, phase, ws, tmp });
    };
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      exited = { code, signal, ms: Date.now() - started };
      timer = setTimeout(() => finish(true), 3000);
    });
    child.on('close', () => finish(false));
    if (opts.onStart) Promise.resolve(opts.onStart(child, ws, tmp)).catch(reject);
  });
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readPid(file: string): number {
  try {
    return parseInt(fs.readFileSync(file, 'utf8'), 10) || 0;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], 10);
      if (ppid === pid) out.push(parseInt(entry, 10));
    } catch {
      /* gone */
    }
  }
  return out;
}

function canUnsharePid(): boolean {
  try {
    execFileSync('unshare', ['-Urpf', '--mount-proc', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** the script printed exactly one line, a "mycli: ..." message */
function assertOneMessage(r: Run, re: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], /^mycli: /);
  assert.match(lines[0], re);
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const FIXTURES = `
set -e
cd "$ROOT"
commit() { git add -A && git commit -qm "$1"; }

git init -q -b main work
cd work
printf 'hello from main\\n' > hello.txt
mkdir -p sub/dir && printf 'inner\\n' > sub/dir/inner.txt
commit one
printf 'two\\n' > two.txt && commit two
git tag v1.0
printf 'three\\n' > three.txt && commit three
git checkout -qb dev
printf 'hello from dev\\n' > hello.txt && commit dev
git checkout -q main
cd ..
git clone -q --bare work main.git

git init -q -b main lib
printf 'library\\n' > lib/lib.txt
(cd lib && commit lib)
git clone -q --bare lib lib.git

git init -q -b main super
cd super
printf 'top\\n' > top.txt
git -c protocol.file.allow=always submodule add -q "$ROOT/lib.git" libs/lib
commit super
cd ..
git clone -q --bare super super.git

mkdir -p http sshroot/org
git clone -q --bare work http/private.git
git clone -q --bare super http/super.git
git clone -q --bare work sshroot/org/repo.git
`;


// Not a speed check: a run that took half of `seconds` or more waited for what it must not wait
// for (a leftover's sleep, a kill grace, a stalled server), so the bound leaves a slow machine room.
const didNotWaitFor = (r: { ms: number }, what: string, seconds: number): void =>
  assert.ok(r.ms < (seconds * 1000) / 2, `took ${r.ms} ms: it waited for ${what} (${seconds} s)`);

describe('docker/entrypoint.sh', function () {
  // past didNotWaitFor's bound (15 s at most), so a run that waits fails there and says why
  this.timeout(60000);

  before(async function () {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mycli-entrypoint-')));
    home = makeDir('home-');
    execFileSync('bash', ['-c', FIXTURES], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ROOT: root,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server = await startGitHttpServer(path.join(root, 'http'));
  });

  after(async function () {
    if (server) await server.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const repo = (name: string): string => path.join(root, name);

  describe('clone and run', function () {
    it('clones the default branch shallowly and runs the command in the checkout', async function () {
      const r = await run({
        REPO_URL: repo('main.git'),
        USER_COMMAND: 'cat hello.txt; git rev-parse --abbrev-ref HEAD; git rev-list --count HEAD; pwd -P',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `hello from main\nmain\n1\n${r.ws}/repo\n`);
      assert.match(r.stderr, new RegExp(`^mycli: cloning ${repo('main.git')} \\(default branch\\)$`, 'm'));
      assert.match(r.stderr, new RegExp(`^mycli: running in ${r.ws}/repo$`, 'm'));
      assert.equal(r.phase, 'run\n');
      assert.deepEqual(listDir(r.tmp), []);
      assert.equal(r.pipesHeldOpen, false);
    });

    it('clones REPO_BRANCH from a file:// URL with GIT_DEPTH', async function () {
      const r = await run({
        REPO_URL: `file://${repo('main.git')}`,
        REPO_BRANCH: 'dev',
        GIT_DEPTH: '2',
        USER_COMMAND: 'cat hello.txt; git rev-list --count HEAD',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello from dev\n2\n');
      assert.match(r.stderr, /^mycli: cloning file:\/\/\S+ \(ref dev\)$/m);
    });

    it("exits with the command's own exit code", async function () {
      const r = await run({ REPO_URL: repo('main.git'), USER_COMMAND: 'echo partial; exit 3' });
      assert.equal(r.code, 3);
      assert.equal(r.stdout, 'partial\n');
      assert.equal(r.phase, 'run\n');
    });

    it('runs a command with quotes, $(...) and several lines exactly once, as typed', async function () {
      const runs = path.join(makeDir('count-'), 'runs');
      const command = [
        `echo "double \\"quoted\\" 'single'"`,
        `echo 'literal $HOME \`date\` $(nope)'`,
        'echo "sub: $(printf %s nested) and `echo back`"',
        `printf '%s\\n' "a;b" 'c|d' '*'`,
        'echo run >> "$RUNS_FILE"',
      ].join('\n');
      // with a token set, so the credential-scrubbing re-exec path is the one exercised
      const r = await run({ REPO_URL: repo('main.git'), USER_COMMAND: command, RUNS_FILE: runs, GITHUB_TOKEN: GH_TOKEN });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        ['double "quoted" \'single\'', 'literal $HOME `date` $(nope)', 'sub: nested and back', 'a;b', 'c|d', '*', ''].join('\n'),
      );
      assert.equal(fs.readFileSync(runs, 'utf8'), 'run\n');
    });

    it('runs in WORKDIR', async function () {
      const r = await run({ REPO_URL: repo('main.git'), WORKDIR: './sub/dir/', USER_COMMAND: 'pwd -P; cat inner.txt' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${r.ws}/repo/sub/dir\ninner\n`);
      assert.match(r.stderr, new RegExp(`^mycli: running in ${r.ws}/repo/sub/dir$`, 'm'));
    });

    it('exits 78 when WORKDIR does not exist in the repository', async function () {
      const r = await run({ REPO_URL: repo('main.git'), WORKDIR: 'nope', USER_COMMAND: 'echo never' });
      assert.equal(r.code, 78);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^mycli: workdir "nope" does not exist in the repository$/m);
      assert.equal(r.phase, 'run\n');
    });

    it('initialises submodules from a local parent repository', async function () {
      const r = await run({ REPO_URL: repo('super.git'), USER_COMMAND: 'cat top.txt libs/lib/lib.txt' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'top\nlibrary\n');
    });

    it('refuses local-path submodules when the parent repository is remote (79)', async function () {
      const r = await run({ REPO_URL: `${server.url}/super.git`, USER_COMMAND: 'echo never' });
      assert.equal(r.code, 79, r.stderr);
      assert.match(r.stderr, /^mycli: clone failed: a submodule uses a local path/m);
      assert.equal(r.stdout, '');
      assert.equal(r.phase, 'clone\n');
    });
  });

  describe('modes', function () {
    it('MYCLI_MODE=clone clones and exits 0; MYCLI_MODE=run then runs in that checkout', async function () {
      const c = await run({ MYCLI_MODE: 'clone', REPO_URL: repo('main.git') });
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout, '');
      assert.equal(c.phase, 'clone\n');
      assert.ok(fs.existsSync(path.join(c.ws, 'repo/hello.txt')));
      assert.doesNotMatch(c.stderr, /running in/);

      const r = await run({ MYCLI_MODE: 'run', USER_COMMAND: 'cat hello.txt' }, { ws: c.ws });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello from main\n');
      assert.doesNotMatch(r.stderr, /cloning/);
      assert.equal(r.phase, 'run\n');
    });

    it('MYCLI_MODE=run without a checkout exits 78', async function () {
      const r = await run({ MYCLI_MODE: 'run', USER_COMMAND: 'true' });
      assert.equal(r.code, 78);
      assertOneMessage(r, /no checkout at/);
      assert.equal(r.phase, 'config\n');
    });

    it('refuses to clone into a non-empty checkout directory (78)', async function () {
      const ws = makeDir('ws-');
      fs.mkdirSync(path.join(ws, 'repo'));
      fs.writeFileSync(path.join(ws, 'repo/keep'), 'x');
      const r = await run({ REPO_URL: repo('main.git'), USER_COMMAND: 'true' }, { ws });
      assert.equal(r.code, 78);
      assertOneMessage(r, /already exists and is not empty/);
    });
  });

  describe('bad configuration exits 78 with one "mycli:" line', function () {
    const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
      ['unknown MYCLI_MODE', { MYCLI_MODE: 'bogus' }, /MYCLI_MODE must be all, clone or run \(got "bogus"\)/],
      ['missing REPO_URL', { REPO_URL: undefined }, /REPO_URL is required/],
      ['missing USER_COMMAND', { USER_COMMAND: undefined }, /USER_COMMAND is required/],
      ['blank USER_COMMAND', { USER_COMMAND: '  \n ' }, /USER_COMMAND is required/],
      ['REPO_URL starting with -', { REPO_URL: '--upload-pack=touch /tmp/x' }, /REPO_URL must not start with "-"/],
      ['REPO_URL with ext::', { REPO_URL: 'ext::sh -c touch% PWNED' }, /remote helper/],
      ['REPO_URL with another transport::', { REPO_URL: 'fd::17' }, /remote helper/],
      ['REPO_URL with a password', { REPO_URL: 'https://user:s3cr3tpass@example.com/x.git' }, /must not contain a password/],
      ['REPO_URL with a token as user', { REPO_URL: 'https://ghp_0123456789abcdef@github.com/x.git' }, /must not contain a token/],
      ['REPO_URL with an unsupported scheme', { REPO_URL: 'ftp://example.com/x.git' }, /scheme "ftp" is not supported/],
      ['REPO_BRANCH starting with -', { REPO_BRANCH: '--upload-pack=x' }, /REPO_BRANCH must not start with "-"/],
      ['invalid REPO_BRANCH', { REPO_BRANCH: 'a..b' }, /REPO_BRANCH "a\.\.b" is not a valid branch or tag name/],
      ['absolute WORKDIR', { WORKDIR: '/etc' }, /WORKDIR must be a path relative to the repository root/],
      ['WORKDIR with ..', { WORKDIR: 'sub/../../etc' }, /WORKDIR must not contain "\.\."/],
      ['WORKDIR ..', { WORKDIR: '..' }, /WORKDIR must not contain "\.\."/],
      ['TIMEOUT_SECONDS 0', { TIMEOUT_SECONDS: '0' }, /TIMEOUT_SECONDS must be a whole number from 1 to 43200 \(got "0"\)/],
      ['TIMEOUT_SECONDS too big', { TIMEOUT_SECONDS: '43201' }, /TIMEOUT_SECONDS must be a whole number from 1 to 43200/],
      ['TIMEOUT_SECONDS not a number', { TIMEOUT_SECONDS: '1h' }, /TIMEOUT_SECONDS must be a whole number/],
      ['KILL_GRACE_SECONDS not a number', { KILL_GRACE_SECONDS: 'soon' }, /KILL_GRACE_SECONDS must be a whole number/],
      ['GIT_DEPTH 0', { GIT_DEPTH: '0' }, /GIT_DEPTH must be a positive whole number \(got "0"\)/],
      ['GIT_DEPTH negative', { GIT_DEPTH: '-1' }, /GIT_DEPTH must be a positive whole number/],
      ['SSH_PRIVATE_KEY not base64', { SSH_PRIVATE_KEY: '!!not base64!!' }, /SSH_PRIVATE_KEY is not valid base64/],
      [
        'SSH_PRIVATE_KEY not a key',
        { SSH_PRIVATE_KEY: Buffer.from('hello').toString('base64') },
        /SSH_PRIVATE_KEY does not decode to a private key/,
      ],
    ];
    for (const [name, over, re] of cases) {
      it(name, async function () {
        const r = await run({ REPO_URL: repo('main.git'), USER_COMMAND: 'echo never', ...over });
        assert.equal(r.code, 78, r.stderr);
        assertOneMessage(r, re);
        assert.equal(r.stdout, '');
        assert.equal(r.phase, 'config\n');
        assert.ok(!fs.existsSync(path.join(r.ws, 'repo')), 'nothing was cloned');
        assert.doesNotMatch(r.stderr, /s3cr3tpass|ghp_0123456789abcdef/);
        assert.ok(!fs.existsSync(path.join(r.ws, 'PWNED')));
      });
    }

    it('an unwritable MYCLI_PHASE_FILE', async function () {
      const r = await run({
        REPO_URL: repo('main.git'),
        USER_COMMAND: 'true',
        MYCLI_PHASE_FILE: path.join(root, 'no/such/dir/phase'),
      });
      assert.equal(r.code, 78);
      assertOneMessage(r, /cannot write MYCLI_PHASE_FILE/);
    });
  });

  describe('clone failures exit 79', function () {
    it('a branch that does not exist', async function () {
      const r = await run({ REPO_URL: repo('main.git'), REPO_BRANCH: 'nope', USER_COMMAND: 'echo never' });
      assert.equal(r.code, 79);
      assert.match(r.stderr, /^mycli: clone failed: ref "nope" is not a branch or tag of .*$/m);
      assert.equal(r.stdout, '');
      assert.equal(r.phase, 'clone\n');
      assert.deepEqual(listDir(r.tmp), []);
    });

    it('a repository that does not exist', async function () {
      const r = await run({ REPO_URL: repo('nothing.git'), USER_COMMAND: 'echo never' });
      assert.equal(r.code, 79);
      assert.match(r.stderr, /^mycli: clone failed: repository ".*nothing\.git" not found/m);
    });

    it('an unreachable server', async function () {
      const r = await run({ REPO_URL: `http://127.0.0.1:${await closedPort()}/x.git`, USER_COMMAND: 'echo never' });
      assert.equal(r.code, 79);
      assert.match(r.stderr, /^mycli: clone failed: could not reach /m);
      assert.equal(r.phase, 'clone\n');
    });
  });

  describe('credentials', function () {
    beforeEach(function () {
      server.passwords = [];
      server.stall = false;
      server.requests.length = 0;
    });

    // prints the command's env, then the environ of every ancestor process
    const SHOW_ENV = [
      'env',
      'echo ---',
      'p=$$',
      'while [ "$p" -gt 1 ]; do',
      `  tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null`,
      `  p=$(awk '/^PPid:/ {print $2}' /proc/$p/status)`,
      'done',
    ].join('\n');

    it('GITHUB_TOKEN reaches git only through GIT_ASKPASS and never the command', async function () {
      server.passwords = [GH_TOKEN];
      const r = await run({ REPO_URL: `${server.url}/private.git`, GITHUB_TOKEN: GH_TOKEN, USER_COMMAND: SHOW_ENV });
      assert.equal(r.code, 0, r.stderr);
      const [ownEnv] = r.stdout.split('---\n');
      assert.match(ownEnv, /^HOME=/m);
      assert.doesNotMatch(ownEnv, /GITHUB_TOKEN|GIT_ASKPASS|GIT_SSH_COMMAND|SSH_PRIVATE_KEY/);
      assert.ok(!r.stdout.includes(GH_TOKEN), 'token visible to the command');
      assert.ok(!r.stderr.includes(GH_TOKEN));
      const gitConfig = fs.readFileSync(path.join(r.ws, 'repo/.git/config'), 'utf8');
      assert.ok(!gitConfig.includes(GH_TOKEN));
      assert.match(gitConfig, new RegExp(`url = ${server.url}/private.git`));
      const users = new Set(server.requests.filter((q) => q.authorized).map((q) => q.username));
      assert.deepEqual([...users], ['x-access-token']);
      assert.deepEqual(listDir(r.tmp), [], 'temp credentials dir removed');
    });

    it('MYCLI_COMMAND_ENV reaches the command only: tracing, BASH_ENV and the like never act on the clone', async function () {
      server.passwords = [GH_TOKEN];
      const marker = path.join(os.tmpdir(), `mycli-bashenv-${process.pid}.out`);
      const script = `${marker}.sh`;
      fs.writeFileSync(script, `echo "token=\${GITHUB_TOKEN-}" >> ${marker}\n`, { mode: 0o755 });
      try {
        const vars = { GIT_TRACE_CURL: '1', GIT_TRACE_REDACT: '0', GIT_TRACE: '1', BASH_ENV: script, FOO: 'bar baz' };
        const encoded = Buffer.from(Object.entries(vars).map(([k, v]) => `${k}=${v}\0`).join('')).toString('base64');
        const r = await run({ REPO_URL: `${server.url}/private.git`, GITHUB_TOKEN: GH_TOKEN, MYCLI_COMMAND_ENV: encoded, USER_COMMAND: 'echo "FOO=$FOO"; echo "trace=$GIT_TRACE_CURL"; env | grep -c MYCLI_COMMAND_ENV || true' });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'FOO=bar baz\ntrace=1\n0\n', 'the command has the run\'s env, and not the encoded variable');
        assert.doesNotMatch(r.stderr, /Authorization|trace:|curl/i, 'git traced nothing during the clone');
        assert.ok(!r.stderr.includes(GH_TOKEN) && !r.stdout.includes(GH_TOKEN));
        assert.ok(!fs.existsSync(marker) || !fs.readFileSync(marker, 'utf8').includes(GH_TOKEN), 'BASH_ENV never ran with the token');
      } finally {
        fs.rmSync(marker, { force: true });
        fs.rmSync(script, { force: true });
      }
    });

    it('GITLAB_TOKEN alone is used with the oauth2 user name', async function () {
      server.passwords = [GL_TOKEN];
      const r = await run({ REPO_URL: `${server.url}/private.git`, GITLAB_TOKEN: GL_TOKEN, USER_COMMAND: SHOW_ENV });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(GL_TOKEN) && !r.stderr.includes(GL_TOKEN));
      const users = new Set(server.requests.filter((q) => q.authorized).map((q) => q.username));
      assert.deepEqual([...users], ['oauth2']);
    });

    for (const [host, token, user] of [
      ['github.example', GH_TOKEN, 'x-access-token'],
      ['gitlab.example', GL_TOKEN, 'oauth2'],
    ] as const) {
      it(`a host containing "${host.split('.')[0]}" gets its own token when both are set`, async function () {
        server.passwords = [token];
        const r = await run({
          REPO_URL: `http://${host}/private.git`,
          http_proxy: server.url,
          GITHUB_TOKEN: GH_TOKEN,
          GITLAB_TOKEN: GL_TOKEN,
          USER_COMMAND: 'cat hello.txt',
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'hello from main\n');
        assert.ok(server.requests.every((q) => q.host === host));
        const users = new Set(server.requests.filter((q) => q.authorized).map((q) => q.username));
        assert.deepEqual([...users], [user]);
      });
    }

    it('a wrong token exits 79 without showing it', async function () {
      server.passwords = [GH_TOKEN];
      const wrong = `ghp_${hex(16)}`;
      const r = await run({ REPO_URL: `${server.url}/private.git`, GITHUB_TOKEN: wrong, USER_COMMAND: 'echo never' });
      assert.equal(r.code, 79);
      assert.match(r.stderr, /^mycli: clone failed: authentication failed for /m);
      assert.ok(!r.stderr.includes(wrong));
      assert.equal(r.phase, 'clone\n');
      assert.deepEqual(listDir(r.tmp), []);
    });

    it('no token for a protected repository exits 79 without prompting', async function () {
      server.passwords = [GH_TOKEN];
      const r = await run({ REPO_URL: `${server.url}/private.git`, USER_COMMAND: 'echo never' });
      assert.equal(r.code, 79);
      assert.match(r.stderr, /^mycli: clone failed: authentication failed/m);
    });

    it('masks a token that appears in git output', async function () {
      server.passwords = [GH_TOKEN];
      const r = await run({ REPO_URL: `${server.url}/missing-${GH_TOKEN}.git`, GITHUB_TOKEN: GH_TOKEN, USER_COMMAND: 'true' });
      assert.equal(r.code, 79);
      assert.ok(!r.stderr.includes(GH_TOKEN), r.stderr);
      assert.match(r.stderr, /^mycli: cloning http:\/\/127\.0\.0\.1:\d+\/missing-\*\*\*\.git/m);
      assert.match(r.stderr, /^mycli: git: fatal: .*missing-\*\*\*\.git/m);
    });

    it('SSH_PRIVATE_KEY: a 0600 key file, safe ssh options, removed before the command', async function () {
      const bin = makeDir('bin-');
      fs.copyFileSync(FAKE_SSH, path.join(bin, 'ssh'));
      fs.chmodSync(path.join(bin, 'ssh'), 0o755);
      const log = path.join(makeDir('ssh-'), 'log');
      const r = await run({
        PATH: `${bin}:${process.env.PATH}`,
        REPO_URL: 'git@github.example:org/repo.git',
        SSH_PRIVATE_KEY: SSH_KEY_B64,
        FAKE_SSH_LOG: log,
        FAKE_SSH_ROOT: path.join(root, 'sshroot'),
        USER_COMMAND: 'cat hello.txt; env',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^hello from main\n/);
      assert.doesNotMatch(r.stdout, /SSH_PRIVATE_KEY|GIT_SSH_COMMAND/);
      for (const secret of [SSH_KEY_B64, ...KEY_LINES]) assert.ok(!r.stdout.includes(secret));
      const seen = fs.readFileSync(log, 'utf8');
      for (const arg of ['-i', 'IdentitiesOnly=yes', 'StrictHostKeyChecking=accept-new', 'BatchMode=yes', 'git@github.example']) {
        assert.match(seen, new RegExp(`^arg ${arg}$`, 'm'));
      }
      assert.match(seen, new RegExp(`^arg UserKnownHostsFile=${r.tmp}/mycli\\.[^/]+/known_hosts$`, 'm'));
      assert.match(seen, /^keymode 600$/m);
      assert.equal(fs.readFileSync(`${log}.key`, 'utf8'), SSH_KEY);
      const keyFile = /^keyfile (.*)$/m.exec(seen)![1];
      assert.ok(!fs.existsSync(keyFile), 'key file removed');
      assert.deepEqual(listDir(r.tmp), []);
    });

    it('SSH_PRIVATE_KEY: a rejected key exits 79 and the key is masked in git output', async function () {
      const bin = makeDir('bin-');
      fs.copyFileSync(FAKE_SSH, path.join(bin, 'ssh'));
      fs.chmodSync(path.join(bin, 'ssh'), 0o755);
      const r = await run({
        PATH: `${bin}:${process.env.PATH}`,
        REPO_URL: 'ssh://git@github.example/org/repo.git',
        SSH_PRIVATE_KEY: SSH_KEY_B64,
        FAKE_SSH_LOG: path.join(makeDir('ssh-'), 'log'),
        FAKE_SSH_MODE: 'fail',
        USER_COMMAND: 'echo never',
      });
      assert.equal(r.code, 79);
      assert.match(r.stderr, /^mycli: clone failed: authentication failed for /m);
      for (const secret of KEY_LINES) assert.ok(!r.stderr.includes(secret), r.stderr);
      assert.match(r.stderr, /^mycli: git: \*\*\*$/m);
      assert.deepEqual(listDir(r.tmp), []);
    });

    it('SIGTERM during the clone exits 143 and removes the credentials dir', async function () {
      server.stall = true;
      const r = await run(
        { REPO_URL: `${server.url}/private.git`, GITHUB_TOKEN: GH_TOKEN, USER_COMMAND: 'echo never', KILL_GRACE_SECONDS: '30' },
        {
          onStart: async (child, _ws, tmp) => {
            await waitFor('the clone request', () => server.requests.length > 0);
            assert.equal(listDir(tmp).length, 1, 'credentials dir exists during the clone');
            process.kill(-child.pid!, 'SIGTERM');
          },
        },
      );
      assert.equal(r.code, 143, r.stderr);
      didNotWaitFor(r, 'the kill grace', 30);
      assert.equal(r.phase, 'clone\n');
      assert.deepEqual(listDir(r.tmp), []);
      assert.equal(r.pipesHeldOpen, false);
    });
  });

  describe('timeouts and signals', function () {
    // a command that leaves a grandchild: dash does not exec the last command
    const LEFTOVER_SECONDS = 30;
    const SLEEPER = `echo start; sleep ${LEFTOVER_SECONDS} & echo $! > "$PIDFILE"; wait`;
    const pidFile = (): string => path.join(makeDir('pid-'), 'pid');

    it('a short command on a busy machine is never told it left something running (the timer\'s own helper is not a leftover)', async function () {
      // Two busy loops hold both cores, so the timer's helper process can still be running when
      // the command ends: before, one run in twelve to forty then named it ("5 (bash)") as the command's.
      const c = await run({ MYCLI_MODE: 'clone', REPO_URL: repo('main.git') });
      assert.equal(c.code, 0, c.stderr);
      const hogs = [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
      try {
        for (let i = 0; i < 80; i++) {
          const r = await run({ MYCLI_MODE: 'run', USER_COMMAND: 'printf e; printf f >&2' }, { ws: c.ws });
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout, 'e');
          assert.doesNotMatch(r.stderr, /left running/, `run ${i + 1}`);
        }
      } finally {
        for (const h of hogs) h.kill('SIGKILL');
      }
    });

    it('times out with 124 and leaves no process behind', async function () {
      const pf = pidFile();
      const r = await run({ REPO_URL: repo('main.git'), TIMEOUT_SECONDS: '1', USER_COMMAND: SLEEPER, PIDFILE: pf });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stdout, 'start\n');
      assert.match(r.stderr, /^mycli: command timed out after 1 seconds$/m);
      didNotWaitFor(r, 'the command\'s sleep', LEFTOVER_SECONDS);
      assert.equal(r.pipesHeldOpen, false);
      assert.ok(readPid(pf) > 0, 'the command wrote its sleep\'s pid');
      assert.ok(!isAlive(readPid(pf)), 'sleep left running');
    });

    it('a command that ignores SIGTERM is killed after KILL_GRACE_SECONDS and still reports 124', async function () {
      const pf = pidFile();
      const r = await run({
        REPO_URL: repo('main.git'),
        TIMEOUT_SECONDS: '1',
        KILL_GRACE_SECONDS: '1',
        USER_COMMAND: `trap '' TERM; ${SLEEPER}`,
        PIDFILE: pf,
      });
      assert.equal(r.code, 124, r.stderr);
      didNotWaitFor(r, 'the command\'s sleep', LEFTOVER_SECONDS);
      assert.equal(r.pipesHeldOpen, false);
      assert.ok(readPid(pf) > 0, 'the command wrote its sleep\'s pid');
      assert.ok(!isAlive(readPid(pf)));
    });

    it('background processes the command leaves behind end with the run', async function () {
      const pf = pidFile();
      const r = await run({
        REPO_URL: repo('main.git'),
        USER_COMMAND: `sleep ${LEFTOVER_SECONDS} & echo $! > "$PIDFILE"; echo done`,
        PIDFILE: pf,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'done\n');
      didNotWaitFor(r, 'the leftover sleep', LEFTOVER_SECONDS);
      assert.equal(r.pipesHeldOpen, false);
      assert.ok(readPid(pf) > 0, 'the command wrote its sleep\'s pid');
      assert.ok(!isAlive(readPid(pf)));
    });

    const signalCases: Array<[string, NodeJS.Signals, boolean, boolean, number]> = [
      // name, signal, detached (group leader), signal the whole group, exit code
      ['SIGTERM to the process group', 'SIGTERM', true, true, 143],
      ['SIGINT to the process group', 'SIGINT', true, true, 130],
      ['SIGTERM to the script alone (group leader)', 'SIGTERM', true, false, 143],
      ['SIGTERM to the script alone (not a group leader, like PID 1)', 'SIGTERM', false, false, 143],
    ];
    for (const [name, sig, detached, group, code] of signalCases) {
      it(`${name} ends the run promptly with ${code} and leaves no sleep behind`, async function () {
        const pf = pidFile();
        const r = await run(
          { REPO_URL: repo('main.git'), USER_COMMAND: SLEEPER, PIDFILE: pf, KILL_GRACE_SECONDS: '1' },
          {
            detached,
            onStart: async (child) => {
              await waitFor('the command to start', () => readPid(pf) > 0);
              process.kill(group ? -child.pid! : child.pid!, sig);
            },
          },
        );
        assert.equal(r.code, code, r.stderr);
        assert.equal(r.stdout, 'start\n');
        didNotWaitFor(r, 'the command\'s sleep', LEFTOVER_SECONDS);
        assert.equal(r.pipesHeldOpen, false);
        assert.ok(!isAlive(readPid(pf)), 'sleep left running');
        assert.equal(r.phase, 'run\n');
      });
    }

    // a grandchild that shuts down cleanly on SIGTERM and logs it; KILL_GRACE_SECONDS is
    // long, so ending well before it means it got the SIGTERM rather than the SIGKILL
    const LONG_GRACE_SECONDS = 30;
    const GRACEFUL = [
      'echo start',
      `sh -c 'trap "echo graceful >> \"\$LOG\"; exit 0" TERM; echo \$\$ > "\$PIDFILE"; while :; do sleep 0.05; done'`,
      'echo after',
    ].join('\n');

    it('SIGTERM to the process group lets a grandchild shut down gracefully', async function () {
      const pf = pidFile();
      const log = path.join(path.dirname(pf), 'log');
      const r = await run(
        { REPO_URL: repo('main.git'), USER_COMMAND: GRACEFUL, PIDFILE: pf, LOG: log, KILL_GRACE_SECONDS: String(LONG_GRACE_SECONDS) },
        {
          onStart: async (child) => {
            await waitFor('the command to start', () => readPid(pf) > 0);
            process.kill(-child.pid!, 'SIGTERM');
          },
        },
      );
      assert.equal(r.code, 143, r.stderr);
      didNotWaitFor(r, 'the kill grace', LONG_GRACE_SECONDS);
      assert.equal(fs.readFileSync(log, 'utf8'), 'graceful\n');
      assert.ok(!isAlive(readPid(pf)));
    });

    it('SIGTERM to the script as PID 1 (docker stop) is forwarded to the whole tree', async function () {
      if (!canUnsharePid()) this.skip();
      const pf = pidFile();
      const log = path.join(path.dirname(pf), 'log');
      const r = await run(
        { REPO_URL: repo('main.git'), USER_COMMAND: GRACEFUL, PIDFILE: pf, LOG: log, KILL_GRACE_SECONDS: String(LONG_GRACE_SECONDS) },
        {
          wrap: ['unshare', '-Urpf', '--mount-proc', 'setsid'], // runc makes PID 1 a session leader
          onStart: async (child) => {
            await waitFor('the command to start', () => fs.existsSync(pf) && fs.readFileSync(pf, 'utf8').endsWith('\n'));
            const [init] = childrenOf(child.pid!);
            assert.ok(init, 'the script inside the PID namespace');
            process.kill(init, 'SIGTERM');
          },
        },
      );
      assert.equal(r.code, 143, r.stderr);
      didNotWaitFor(r, 'the kill grace', LONG_GRACE_SECONDS);
      assert.equal(fs.readFileSync(log, 'utf8'), 'graceful\n');
      assert.equal(r.pipesHeldOpen, false);
    });
  });

  describe('output, environment, input and refs', function () {
    it('writes its own lines on MYCLI_MESSAGE_FD, so the command has stdout and stderr to itself', async function () {
      const r = await run({ REPO_URL: repo('main.git'), USER_COMMAND: 'echo out; echo err >&2; ls -l /proc/$$/fd | grep -c " 3 ->" || true' }, { messageFd: true });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'out\n0\n', 'the command does not inherit the message descriptor');
      assert.equal(r.stderr, 'err\n');
      assert.match(r.messages, /^mycli: cloning .* \(default branch\)\nmycli: running in .*\n$/);
    });

    it('a command that exits 124 by itself is not a timeout: exit 124, phase run, no timeout line', async function () {
      const r = await run({ REPO_URL: repo('main.git'), TIMEOUT_SECONDS: '30', USER_COMMAND: 'echo mine; exit 124' });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stdout, 'mine\n');
      assert.equal(r.phase, 'run\n');
      assert.doesNotMatch(r.stderr, /timed out/);
    });

    it('a timeout says so in the phase file', async function () {
      const r = await run({ REPO_URL: repo('main.git'), TIMEOUT_SECONDS: '1', USER_COMMAND: 'sleep 5' });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.phase, 'timed-out\n');
    });

    it("the command's environment is the documented list and the run's own variables, nothing else", async function () {
      const r = await run({
        PATH: process.env.PATH, HOME: home, LANG: undefined, TMPDIR: undefined, GIT_CONFIG_NOSYSTEM: undefined,
        REPO_URL: repo('main.git'), REPO_BRANCH: 'dev', USER_COMMAND: 'env', GIT_DEPTH: '1', TIMEOUT_SECONDS: '60',
        MYCLI_EXECUTION_ID: 'exec-1', RUN_VAR: 'from the run',
      });
      assert.equal(r.code, 0, r.stderr);
      const env = Object.fromEntries(r.stdout.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      assert.deepEqual(Object.keys(env).sort(), ['HOME', 'LANG', 'MYCLI_EXECUTION_ID', 'MYCLI_REF', 'MYCLI_REPO', 'PATH', 'PWD', 'RUN_VAR', 'SHELL', 'TERM', 'TZ']);
      assert.deepEqual(
        { ...env, PWD: undefined },
        { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', TZ: 'UTC', TERM: 'dumb', SHELL: '/bin/sh', RUN_VAR: 'from the run',
          MYCLI_EXECUTION_ID: 'exec-1', MYCLI_REPO: repo('main.git'), MYCLI_REF: 'dev', PWD: undefined },
      );
      assert.equal(env.PWD, `${r.ws}/repo`);
    });

    it('values given for LANG, TZ, TERM and SHELL win over the defaults', async function () {
      const r = await run({ REPO_URL: repo('main.git'), LANG: 'de_DE.UTF-8', TZ: 'Europe/Berlin', TERM: 'xterm', SHELL: '/bin/bash', USER_COMMAND: 'echo "$LANG $TZ $TERM $SHELL"' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'de_DE.UTF-8 Europe/Berlin xterm /bin/bash\n');
    });

    it("passes its stdin to the command, and only to the command", async function () {
      const r = await run({ REPO_URL: repo('main.git'), USER_COMMAND: 'wc -c; cat' }, { input: 'line one\nline two' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '17\n');
    });

    it('clones a tag as REPO_BRANCH without git\'s detached-HEAD advice', async function () {
      const r = await run({ REPO_URL: repo('main.git'), REPO_BRANCH: 'v1.0', USER_COMMAND: 'ls; git describe --tags' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello.txt\nsub\ntwo.txt\nv1.0\n');
      assert.match(r.stderr, /^mycli: cloning .* \(ref v1\.0\)$/m);
      assert.doesNotMatch(r.stderr, /detached|advice/i);
    });

    it('runs a full commit id given as REPO_BRANCH; an abbreviated one is refused with what to give', async function () {
      const sha = execFileSync('git', ['--git-dir', repo('main.git'), 'rev-parse', 'v1.0^{commit}'], { encoding: 'utf8' }).trim();
      const r = await run({ REPO_URL: repo('main.git'), REPO_BRANCH: sha, USER_COMMAND: 'ls; git rev-parse HEAD' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `hello.txt\nsub\ntwo.txt\n${sha}\n`);
      assert.doesNotMatch(r.stderr, /detached|advice/i);
      const short = await run({ REPO_URL: repo('main.git'), REPO_BRANCH: sha.slice(0, 8), USER_COMMAND: 'echo never' });
      assert.equal(short.code, 79, short.stderr);
      assert.match(short.stderr, new RegExp(`^mycli: clone failed: ref "${sha.slice(0, 8)}" is not a branch or tag of .*; to run a commit, give its full 40-character id$`, 'm'));
    });
  });
});

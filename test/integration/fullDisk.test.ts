/**
 * A full disk (issue 7): local runs whose state lives on a real, small filesystem that fills up
 * (a 1 MiB tmpfs as MYCLI_HOME, see support/smallDisk). Whatever fills it, a run ends with a
 * clear reason, never stays RUNNING, and what was kept of its log reads back whole. Runs as
 * root (a private mount namespace) or as any user where user namespaces are allowed; where
 * neither can mount, the tests are skipped and say why.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LocalPlatform } from '../../src/backend/local/localPlatform';
import { eventBytes, eventStream } from '../../src/client/logEvents';
import { CLI, cliEnv } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, startGitDaemon } from '../support/gitServers';
import { RunResult } from '../support/proc';
import { mountSmallDisk, SmallDisk } from '../support/smallDisk';

const DISK_BYTES = 1024 * 1024;
/** What a run writes: four times the disk, then a last line. */
const LINE = '0123456789abcdef\n';
const OUTPUT_BYTES = 4_000_000;
const expected = LINE.repeat(Math.ceil(OUTPUT_BYTES / LINE.length)).slice(0, OUTPUT_BYTES) + 'after\n';
const WRITE_TOO_MUCH = `yes 0123456789abcdef | head -c ${OUTPUT_BYTES}; echo after`;

/**
 * What a finished run's folder may hold: nothing with credentials or the run's env, no temp
 * files, no reserve (mounts.fstab: the paths an isolated run hid and kept).
 */
const ALLOWED_LEFT = new Set(['execution.json', 'output.log', 'phase', 'supervisor.log', 'supervisor.pid', 'mounts.fstab']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe('a full disk under the local backend', function () {
  this.timeout(90000);
  let root: string;
  let daemon: GitServer;
  let url: string;
  let disk: SmallDisk;
  let env: NodeJS.ProcessEnv;
  const token = `ghp_${randomBytes(12).toString('hex')}`;

  before(async function () {
    const probe = await mountSmallDisk(DISK_BYTES);
    if ('unavailable' in probe) {
      if (process.env.MYCLI_REQUIRE_NAMESPACES === '1') throw new Error(`the full-disk tests are required here but cannot run: ${probe.unavailable}`);
      console.log(`    full-disk tests SKIPPED: no small filesystem can be mounted here (${probe.unavailable})`);
      this.skip();
    }
    await probe.stop();
    root = await makeTempDir('mycli-fulldisk-');
    await makeBareRepo(root, 'app', { main: { 'README.md': 'app\n' } });
    daemon = await startGitDaemon(root);
    url = daemon.url('app');
  });

  beforeEach(async () => {
    const d = await mountSmallDisk(DISK_BYTES);
    if ('unavailable' in d) throw new Error(`the small disk mounted once but not again: ${d.unavailable}`);
    disk = d;
    // A Git credential the clone gets, to check that none is left on the disk.
    env = cliEnv({ MYCLI_HOME: disk.dir, GITHUB_TOKEN: token });
  });

  afterEach(async () => {
    await disk?.stop();
  });

  after(async () => {
    await daemon?.stop();
    if (root) await removeDir(root);
  });

  const cli = (args: string[]): Promise<RunResult> =>
    disk.run(process.execPath, [CLI, ...args], { env, allowFail: true, timeoutMs: 60000 });

  const idOf = (r: RunResult): string => {
    const m = /mycli: (exec-\S+) started/.exec(r.stderr);
    assert.ok(m, `no execution id in:\n${r.stderr}`);
    return m[1]!;
  };

  async function statusOf(id: string): Promise<Record<string, unknown>> {
    const r = await cli(['status', '--json', id]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** The run's log through the logs API from the start, page by page until `complete`; its stdout. */
  async function stdoutThroughApi(id: string): Promise<string> {
    const platform = new LocalPlatform({ home: disk.outside(disk.dir), env: {}, userConfig: {} });
    const out: Buffer[] = [];
    let token: string | undefined;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10000, 'the log never said it was complete');
      const page = await platform.logs({ execution_id: id, next_token: token, limit: 50 });
      for (const e of page.events) if (eventStream(e) === 'stdout') out.push(eventBytes(e));
      if (page.complete) break;
      assert.ok(page.events.length > 0 || page.next_token !== token, 'the log stopped before it was complete');
      token = page.next_token;
    }
    return Buffer.concat(out).toString('utf8');
  }

  /** Nothing with credentials or the run's env left, no temp file, and the token in no file on the disk. */
  function assertNothingLeft(id: string): void {
    const runDir = disk.outside(join(disk.dir, 'local', 'executions', id));
    const left = readdirSync(runDir).filter((n) => !ALLOWED_LEFT.has(n));
    assert.deepEqual(left, [], `left in the run's folder: ${left.join(', ')}`);
    for (const file of filesUnder(disk.outside(disk.dir))) {
      assert.ok(!readFileSync(file).includes(token), `the Git credential is in ${file}`);
    }
  }

  it('output larger than the disk: FAILED with a reason that says the disk is full and the output incomplete; the log reads back whole', async () => {
    const r = await cli(['exec', '--local', '--repo', url, WRITE_TOO_MUCH]);
    const id = idOf(r);
    assert.notEqual(r.code, 0, `exec exited 0 for a run whose output was lost:\n${r.stderr}`);
    assert.notEqual(r.code, null, 'exec did not end');
    assert.match(r.stderr, /FAILED/);
    assert.match(r.stderr, /no space left on device/i);
    assert.match(r.stderr, /incomplete/);
    assert.ok(r.stdout.length > 0 && r.stdout.length < expected.length - 1_000_000, `printed ${r.stdout.length} bytes of ${expected.length}`);
    assert.ok(expected.startsWith(r.stdout), 'what exec printed is not a prefix of what the command wrote');

    const s = await statusOf(id);
    assert.equal(s.status, 'FAILED');
    assert.equal(s.exit_code, 0, 'the command\'s own exit code is kept');
    assert.match(String(s.stopped_reason), /disk .*full.*no space left on device/i);
    assert.match(String(s.stopped_reason), /incomplete/);

    const logged = await stdoutThroughApi(id);
    assert.equal(logged, r.stdout, 'the log reads back as exec printed it');
    const logs = await cli(['logs', id]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, r.stdout);
    assertNothingLeft(id);
  });

  it('a command that fills the disk itself: the result is still recorded, and the log reads back whole', async () => {
    // The command's own file takes every free block, so cutting the log back frees nothing: the
    // record of the result must still find room.
    const r = await cli(['exec', '--local', '--repo', url, `cat /dev/zero > fill 2>/dev/null; ${WRITE_TOO_MUCH}`]);
    const id = idOf(r);
    assert.notEqual(r.code, null, 'exec did not end');
    assert.notEqual(r.code, 0, r.stderr);
    const s = await statusOf(id);
    assert.equal(s.status, 'FAILED', JSON.stringify(s));
    assert.match(String(s.stopped_reason), /disk .*full.*no space left on device/i);
    assert.match(String(s.stopped_reason), /incomplete/);
    assert.match(r.stderr, /FAILED.*no space left on device/i);
    assert.ok(expected.startsWith(r.stdout), 'what exec printed is not a prefix of what the command wrote');
    assert.equal(await stdoutThroughApi(id), r.stdout);
    assertNothingLeft(id);
  });

  it('a disk full before the run starts: exec says so and leaves no run behind', async () => {
    const fill = openSync(disk.outside(join(disk.dir, 'fill')), 'w');
    try {
      const block = Buffer.alloc(64 * 1024, 1);
      for (;;) writeSync(fill, block);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fill);
    }
    const r = await cli(['exec', '--local', '--repo', url, 'echo hello']);
    assert.equal(r.code, 3, `exec should say it could not start the run:\n${r.stderr}`);
    assert.match(r.stderr, /^mycli: error: .*no space left on device/im);
    assert.ok(r.stderr.includes(disk.dir), `the reason names where mycli keeps its state:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /, 'a clear reason, not a stack trace');
    assert.equal(r.stdout, '');
    const list = await cli(['list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout || '[]'), [], 'no run is left behind');
    const runs = disk.outside(join(disk.dir, 'local', 'executions'));
    assert.deepEqual(statSync(runs, { throwIfNoEntry: false }) ? readdirSync(runs) : [], [], 'no half-made run folder');
  });

  it('a nearly full disk, at each level from no room for a run to room for it: exec ends, the run is recorded, nothing is left', async function () {
    this.timeout(300000);
    const runs = disk.outside(join(disk.dir, 'local', 'executions'));
    const fillFile = disk.outside(join(disk.dir, 'fill'));
    const freeBytes = (): number => {
      const s = statfsSync(disk.outside(disk.dir));
      return s.bavail * s.bsize;
    };
    let succeeded = 0;
    // Each level fails somewhere else: the record, the reserve, the pid file, the clone, the log.
    for (let room = 48 * 1024; room <= 240 * 1024; room += 12 * 1024) {
      rmSync(runs, { recursive: true, force: true });
      rmSync(fillFile, { force: true });
      writeFileSync(fillFile, Buffer.alloc(Math.max(0, freeBytes() - room), 1));
      const r = await disk.run(process.execPath, [CLI, 'exec', '--local', '--repo', url, 'echo hello'], { env, allowFail: true, timeoutMs: 30000 });
      const at = `with ${room / 1024} KiB free:\n${r.stderr}`;
      assert.notEqual(r.code, null, `exec did not end ${at}`);
      assert.doesNotMatch(r.stderr, /unexpected error/, at);
      const id = /(exec-\d{8}-\d{6}-[0-9a-f]+)/.exec(r.stderr)?.[1];
      if (r.code === 0) {
        succeeded++;
        assert.equal(r.stdout, 'hello\n', at);
      } else {
        // told that the disk is full: in mycli's reason, or in git's own lines of the clone
        assert.match(r.stderr, /no space left on device|disk that holds .* is full|out of diskspace/i, at);
      }
      if (!id) {
        assert.equal(r.code, 3, at);
        continue;
      }
      if (!statSync(join(runs, id), { throwIfNoEntry: false })) continue; // not made at all
      const s = await statusOf(id);
      assert.ok(['SUCCEEDED', 'FAILED'].includes(String(s.status)), `${String(s.status)} ${at}`);
      assertNothingLeft(id);
    }
    assert.ok(succeeded > 0, 'the last levels leave room for a whole run');
  });
});

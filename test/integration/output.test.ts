/**
 * Byte-exact output (issue 10): what the real CLI writes equals what the command wrote, stream by
 * stream, through the in-process local backend and through `mycli serve`; statuses, the command's
 * environment and stdin as the README's "Output" and "Environment" sections say.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, CLI_BACKENDS, CliBackend, mycli, ROOT } from '../support/cli';
import { git, makeBareRepo, makeTempDir, makeWorkingClone, removeDir } from '../support/gitRepos';

interface RawResult {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs the built CLI and keeps its output as bytes; `onStdout` sees each chunk as it arrives. */
function mycliRaw(
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: Buffer | string; onStdout?: (soFar: Buffer) => void; mergeOutput?: boolean },
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const argv = opts.mergeOutput ? ['sh', '-c', 'exec "$@" 2>&1', 'sh', process.execPath, CLI, ...args] : [process.execPath, CLI, ...args];
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env, cwd: opts.cwd ?? ROOT, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => {
      out.push(c);
      opts.onStdout?.(Buffer.concat(out));
    });
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
  });
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * The command's own stderr inside the CLI's: after the executor's "mycli: running in ..." line,
 * up to the summary line that ends every `mycli exec`.
 */
function commandStderr(stderr: Buffer): Buffer {
  const running = stderr.indexOf('mycli: running in ');
  assert.ok(running >= 0, stderr.toString());
  const start = stderr.indexOf('\n', running) + 1;
  const summary = stderr.lastIndexOf('mycli: exec-');
  assert.ok(summary >= start, stderr.toString());
  return stderr.subarray(start, summary);
}

const idOf = (stderr: Buffer): string => {
  const m = /mycli: (exec-\S+) started/.exec(stderr.toString());
  assert.ok(m, stderr.toString());
  return m[1]!;
};

for (const [label, factory] of CLI_BACKENDS) {
  describe(`byte-exact output: ${label}`, function () {
    this.timeout(60000);
    let root: string;
    let repo: string;
    let backend: CliBackend;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      root = await makeTempDir('mycli-output-');
      repo = (await makeBareRepo(root, 'app', { main: { 'hello.txt': 'hello\n' } })).bareDir;
      backend = await factory({});
      env = backend.env;
    });

    after(async () => {
      await backend?.stop();
      await removeDir(root);
    });

    const exec = (command: string, opts: { args?: string[]; input?: Buffer | string; onStdout?: (soFar: Buffer) => void; cwd?: string } = {}): Promise<RawResult> =>
      mycliRaw(['exec', '--repo', repo, ...(opts.args ?? []), command], { env, ...opts });

    it('random binary data on stdout and on stderr arrives exactly (SHA-256 per stream)', async () => {
      const out = join(root, 'out.bin');
      const err = join(root, 'err.bin');
      const outBytes = randomBytes(3 * 1024 * 1024 + 17);
      const errBytes = randomBytes(700 * 1024 + 3);
      writeFileSync(out, outBytes);
      writeFileSync(err, errBytes);
      const r = await exec('cat "$OUT"; cat "$ERR" >&2', { args: ['--env', `OUT=${out}`, '--env', `ERR=${err}`] });
      assert.equal(r.code, 0, r.stderr.toString().slice(-2000));
      assert.equal(sha256(r.stdout), sha256(outBytes));
      assert.equal(sha256(commandStderr(r.stderr)), sha256(errBytes));
    });

    it('a 2 MB single line without a final newline comes back whole, with no newline added', async () => {
      const r = await exec("head -c 2097152 /dev/zero | tr '\\0' x");
      assert.equal(r.code, 0, r.stderr.toString());
      assert.equal(r.stdout.length, 2097152);
      assert.ok(r.stdout.equals(Buffer.alloc(2097152, 'x')));
    });

    it('output with no final newline keeps it missing, on both streams', async () => {
      const r = await exec("printf 'a\\nb'; printf 'e\\nf' >&2");
      assert.equal(r.code, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), 'a\nb');
      assert.equal(commandStderr(r.stderr).toString(), 'e\nf');
    });

    it('CRLF lines and \\r progress lines come back byte for byte', async () => {
      const r = await exec("printf 'one\\r\\ntwo\\r\\n'; for i in 1 2 3; do printf '\\r%d%%' $i; sleep 0.1; done; printf '\\rdone\\n'; printf 'e\\r\\n' >&2");
      assert.equal(r.code, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), 'one\r\ntwo\r\n\r1%\r2%\r3%\rdone\n');
      assert.equal(commandStderr(r.stderr).toString(), 'e\r\n');
    });

    it('interleaved stdout and stderr written with pauses: each stream exact, chunk order kept', async () => {
      const command = 'echo o1; sleep 0.3; echo e1 >&2; sleep 0.3; printf o2; sleep 0.3; echo e2 >&2; sleep 0.3; echo " o3"';
      const r = await exec(command);
      assert.equal(r.code, 0, r.stderr.toString());
      assert.equal(r.stdout.toString(), 'o1\no2 o3\n');
      assert.equal(commandStderr(r.stderr).toString(), 'e1\ne2\n');
      // The log keeps the order: `mycli logs` with both streams on one pipe shows it.
      const logs = await mycliRaw(['logs', idOf(r.stderr)], { env, mergeOutput: true });
      assert.equal(logs.code, 0, logs.stderr.toString());
      const merged = logs.stdout.toString();
      const own = merged.slice(merged.indexOf('\n', merged.indexOf('mycli: running in ')) + 1);
      assert.equal(own, 'o1\ne1\no2e2\n o3\n');
    });

    it('a partial line reaches the follower before the command writes its newline', async () => {
      const flag = join(root, `go-${Date.now()}`);
      let sawPartial = false;
      const r = await exec('printf "50%% done"; while [ ! -e "$FLAG" ]; do sleep 0.05; done; echo " and the rest"', {
        args: ['--env', `FLAG=${flag}`],
        onStdout: (soFar) => {
          if (!sawPartial && soFar.toString() === '50% done') {
            sawPartial = true;
            writeFileSync(flag, '');
          }
        },
      });
      assert.equal(r.code, 0, r.stderr.toString());
      assert.ok(sawPartial, 'the partial line was printed on its own first');
      assert.equal(r.stdout.toString(), '50% done and the rest\n');
    });

    it('a command that exits 124 by itself is FAILED with exit code 124, not TIMED_OUT', async () => {
      const r = await exec('echo mine; exit 124', { args: ['--timeout', '600'] });
      assert.equal(r.code, 124);
      assert.equal(r.stdout.toString(), 'mine\n');
      const s = JSON.parse((await mycli(['status', idOf(r.stderr), '--json'], { env })).stdout) as Record<string, unknown>;
      assert.equal(s.status, 'FAILED');
      assert.equal(s.exit_code, 124);
      assert.equal(s.stopped_reason, 'command exited with code 124');
    });

    it('a run that outlives --timeout is TIMED_OUT with exit 124', async () => {
      const r = await exec('echo start; sleep 30', { args: ['--timeout', '1'] });
      assert.equal(r.code, 124, r.stderr.toString());
      const s = JSON.parse((await mycli(['status', idOf(r.stderr), '--json'], { env })).stdout) as Record<string, unknown>;
      assert.equal(s.status, 'TIMED_OUT');
      assert.equal(s.exit_code, 124);
      assert.match(r.stderr.toString(), /^mycli: command timed out after 1 seconds$/m);
    });

    it("the command's environment is the documented list, the run's --env and nothing else", async () => {
      const r = await exec('env', { args: ['--branch', 'main', '--env', 'RUN_VAR=x y', '--env', 'TERM=xterm-256color'] });
      assert.equal(r.code, 0, r.stderr.toString());
      const vars = Object.fromEntries(r.stdout.toString().trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      assert.deepEqual(Object.keys(vars).sort(), ['HOME', 'LANG', 'MYCLI_EXECUTION_ID', 'MYCLI_REF', 'MYCLI_REPO', 'PATH', 'PWD', 'RUN_VAR', 'SHELL', 'TERM', 'TZ']);
      assert.equal(vars.MYCLI_EXECUTION_ID, idOf(r.stderr));
      assert.equal(vars.MYCLI_REPO, repo);
      assert.equal(vars.MYCLI_REF, 'main');
      assert.equal(vars.RUN_VAR, 'x y');
      assert.equal(vars.TERM, 'xterm-256color', "the run's env wins over a default");
      assert.equal(vars.SHELL, '/bin/sh');
      assert.equal(vars.LANG, 'C.UTF-8');
      assert.ok(vars.TZ, 'TZ is set');
      assert.match(vars.PWD!, /\/workspace\/repo$/);
      const d = await exec('env | cut -d= -f1 | sort | tr "\\n" " "');
      assert.equal(d.stdout.toString(), 'HOME LANG MYCLI_EXECUTION_ID MYCLI_REPO PATH PWD SHELL TERM TZ ');
    });

    if (label === 'in-process local backend') {
      it('passes piped stdin to the command, bytes exact', async () => {
        const data = randomBytes(256 * 1024);
        const r = await exec('sha256sum | cut -d" " -f1', { input: data });
        assert.equal(r.code, 0, r.stderr.toString());
        assert.equal(r.stdout.toString(), `${sha256(data)}\n`);
        const none = await exec('wc -c', { input: 'ignored', args: ['--no-stdin'] });
        assert.equal(none.stdout.toString().trim(), '0');
      });
    } else {
      it('says plainly that piped stdin is not passed on, and the command reads none', async () => {
        const r = await exec('wc -c', { input: 'not sent\n' });
        assert.equal(r.code, 0, r.stderr.toString());
        assert.equal(r.stdout.toString().trim(), '0');
        assert.match(r.stderr.toString(), /^mycli: note: your stdin is not passed to the command: http:\/\/\S+ takes no input/m);
        const quiet = await exec('true', { input: 'x', args: ['-n'] });
        assert.doesNotMatch(quiet.stderr.toString(), /stdin/);
      });
    }

    it('a tag and a full commit id work as --branch, without git\'s detached-HEAD advice', async () => {
      const work = await makeWorkingClone(root, repo, 'main');
      await git(['tag', 'v1.0'], { cwd: work });
      await git(['push', '-q', 'origin', 'v1.0'], { cwd: work });
      const sha = (await git(['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
      for (const ref of ['v1.0', sha]) {
        const r = await exec('cat hello.txt; echo "$MYCLI_REF"', { args: ['--branch', ref] });
        assert.equal(r.code, 0, r.stderr.toString());
        assert.equal(r.stdout.toString(), `hello\n${ref}\n`);
        assert.doesNotMatch(r.stderr.toString(), /detached|advice/i);
        assert.match(r.stderr.toString(), new RegExp(`\\(ref ${ref.replace('.', '\\.')}\\)`));
      }
    });

    it('a ref that exists only in the local repository says to push it first, in --branch terms', async () => {
      const work = await makeWorkingClone(root, repo, 'main');
      await git(['checkout', '-q', '-b', 'only-here'], { cwd: work });
      const r = await mycliRaw(['exec', '--branch', 'only-here', 'true'], { env, cwd: work });
      assert.equal(r.code, 79, r.stderr.toString());
      const err = r.stderr.toString();
      assert.match(err, /ref "only-here" is not a branch or tag of /);
      assert.match(err, /^mycli: "only-here" is in your local repository but not in .*: push it first \(git push origin only-here\), or pass another --branch$/m);
      assert.doesNotMatch(err, /REPO_BRANCH/);
    });
  });
}

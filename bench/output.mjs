// Output at the speed of the pipe (DESIGN.md §9; issue 7 item 4). Each figure is printed beside
// its floor, measured in the same run, with the ratio and the target:
//   - 500,000 lines followed to the end by `mycli exec --local`, against `node -e 0; seq 500000 > file`
//     (paired runs, median of the ratios): target 3x;
//   - the same through `mycli serve` over HTTP: target 5x;
//   - peak memory (VmHWM of the process itself) of the client in-process, of the client over HTTP
//     and of `mycli serve`, at 5,000,000 lines against 50,000: target 1.2x.
// Every run's output is checked to be the command's, byte for byte (SHA-256).
// The CLI is started as a user starts it: dist/cli.js run through its first line.
// Run: npm run bench (or node bench/output.mjs after npm run build).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { benchWorkspace } from './workspace.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS || 7);
const MEMORY_RUNS = Number(process.env.BENCH_MEMORY_RUNS || 3);
const KEY = 'bench-key-0123456789';
const { work, env, makeRepo } = benchWorkspace('mycli-bench-output-');

/** Peak resident memory of one process (not its children), in KiB; 0 once it is gone. */
function vmHwm(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs a command to its end: wall ms, its own peak memory (KiB), and the SHA-256 and size of its stdout. */
function run(cmd, args, extraEnv = {}) {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let peak = 0;
    let err = '';
    const timer = setInterval(() => (peak = Math.max(peak, vmHwm(child.pid))), 10);
    child.stdout.on('data', (c) => {
      bytes += c.length;
      hash.update(c);
    });
    child.stderr.on('data', (c) => (err = (err + c).slice(-4000)));
    child.on('error', fail);
    child.on('exit', () => (peak = Math.max(peak, vmHwm(child.pid))));
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) return fail(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`));
      done({ ms: Number(process.hrtime.bigint() - start) / 1e6, peakKb: peak, bytes, sha: hash.digest('hex') });
    });
  });
}

/** `mycli serve` on a free port with a state folder of its own; resolves once it listens. */
function startServe() {
  return new Promise((done, fail) => {
    const child = spawn(CLI, ['serve', '--port', '0'], { env: { ...env, MYCLI_HOME: mkdtempSync(join(work, 'serve-')), MYCLI_API_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = /serving the local backend at (\S+)/.exec(err);
      if (m) done({ url: m[1], pid: child.pid, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) });
    });
    child.once('exit', (code) => fail(new Error(`mycli serve exited ${code}: ${err}`)));
  });
}

// Each measured command starts on a settled machine: what a run leaves to do in the background
// (its workspace removed, the next run's spare supervisor started) is not charged to the next one.
const settle = () => new Promise((r) => setTimeout(r, 800));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seqSha = (n) => createHash('sha256').update(execFileSync('seq', [String(n)], { maxBuffer: 1 << 30 })).digest('hex');

function check(result, want, what) {
  if (result.sha !== want) throw new Error(`${what}: the output is not seq's, byte for byte (${result.bytes} bytes)`);
}

function row(figure, value, floorName, floor, unit, ratio, target) {
  const verdict = ratio <= target ? 'within' : 'OVER';
  console.log(`${figure.padEnd(52)} ${value.toFixed(1).padStart(8)} ${unit.padEnd(4)} floor ${floorName}: ${floor.toFixed(1)} ${unit}  ratio ${ratio.toFixed(2)}  target <= ${target} (${verdict})`);
}

const repo = makeRepo();
const LINES = 500000;
const want = seqSha(LINES);
const file = join(work, 'lines.txt');
const floorCmd = ['sh', ['-c', `node -e 0; seq ${LINES} > "$0"`, file]];
try {
  console.log(`output benchmarks on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

  // Paired A B A B runs, so a comparison holds while the machine's speed drifts.
  async function paired(label, args, extraEnv, target) {
    await run(CLI, args, extraEnv); // warm-up
    await run(...floorCmd);
    const a = [];
    const b = [];
    const ratios = [];
    for (let i = 0; i < RUNS; i++) {
      await settle();
      const r = await run(CLI, args, extraEnv);
      check(r, want, label);
      await settle();
      const f = await run(...floorCmd);
      a.push(r.ms);
      b.push(f.ms);
      ratios.push(r.ms / f.ms);
    }
    row(label, median(a), `node -e 0; seq ${LINES} > file`, median(b), 'ms', median(ratios), target);
    return median(a);
  }

  const inProcess = await paired(`output: ${LINES} lines, mycli exec --local`, ['exec', '--local', '--repo', repo, `seq ${LINES}`], {}, 3);
  const serve = await startServe();
  const viaHttp = { MYCLI_API_ENDPOINT: serve.url, MYCLI_API_KEY: KEY };
  let httpMs;
  try {
    httpMs = await paired(`output: ${LINES} lines, through mycli serve`, ['exec', '--repo', repo, `seq ${LINES}`], viaHttp, 5);
    // Where the time goes: the same run of `true` (clone, supervisor, executor, follower).
    const t1 = [];
    const t2 = [];
    for (let i = 0; i < RUNS; i++) {
      await settle();
      t1.push((await run(CLI, ['exec', '--local', '--repo', repo, 'true'])).ms);
      await settle();
      t2.push((await run(CLI, ['exec', '--repo', repo, 'true'], viaHttp)).ms);
    }
    console.log(`  of which starting and ending a run (mycli exec true): ${median(t1).toFixed(1)} ms in-process (output itself ${(inProcess - median(t1)).toFixed(1)} ms), ${median(t2).toFixed(1)} ms through serve (output itself ${(httpMs - median(t2)).toFixed(1)} ms)`);
  } finally {
    await serve.stop();
  }

  // Flat memory: peaks at 5,000,000 lines against 50,000 (median of MEMORY_RUNS each).
  const SMALL = 50000;
  const LARGE = 5000000;
  const wantSmall = seqSha(SMALL);
  const wantLarge = seqSha(LARGE);
  const peaks = { client: {}, httpClient: {}, server: {} };
  for (const [n, sha] of [[SMALL, wantSmall], [LARGE, wantLarge]]) {
    const client = [];
    const httpClient = [];
    const server = [];
    for (let i = 0; i < MEMORY_RUNS; i++) {
      const r = await run(CLI, ['exec', '--local', '--repo', repo, `seq ${n}`]);
      check(r, sha, `mycli exec --local seq ${n}`);
      client.push(r.peakKb);
      const s = await startServe(); // a fresh server, so its peak is this run's
      try {
        const h = await run(CLI, ['exec', '--repo', repo, `seq ${n}`], { MYCLI_API_ENDPOINT: s.url, MYCLI_API_KEY: KEY });
        check(h, sha, `mycli exec seq ${n} through serve`);
        httpClient.push(h.peakKb);
        server.push(vmHwm(s.pid));
      } finally {
        await s.stop();
      }
    }
    peaks.client[n] = median(client) / 1024;
    peaks.httpClient[n] = median(httpClient) / 1024;
    peaks.server[n] = median(server) / 1024;
  }
  for (const [key, label] of [['client', 'mycli exec --local'], ['httpClient', 'mycli exec through serve'], ['server', 'mycli serve']]) {
    const p = peaks[key];
    row(`memory: peak of ${label}, ${LARGE} lines`, p[LARGE], `${SMALL} lines`, p[SMALL], 'MiB', p[LARGE] / p[SMALL], 1.2);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

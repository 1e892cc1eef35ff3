// Runs per second through `mycli serve` at 1, 10 and 100 concurrent clients, beside the same runs
// through the in-process local backend (`mycli exec --local`), on this machine (DESIGN.md §9).
// Each client is a real `mycli exec` process, as a user or a script would start it.
// Run: npm run bench (or node bench/serveThroughput.mjs after npm run build).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { benchWorkspace } from './workspace.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const KEY = 'bench-key-0123456789';
const { work, env, makeRepo } = benchWorkspace('mycli-bench-serve-');

function mycli(args, extraEnv = {}) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`mycli ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** `total` runs by `clients` concurrent clients; runs per second over the whole. */
async function throughput(clients, total, args, extraEnv) {
  let left = total;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (left > 0) {
      left--;
      const out = await mycli(['exec', ...args, 'echo ok'], extraEnv);
      if (out !== 'ok\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
    }
  }));
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

function startServe() {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...env, MYCLI_API_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = /serving the local backend at (\S+)/.exec(err);
      if (m) done({ url: m[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => fail(new Error(`mycli serve exited ${code}: ${err}`)));
  });
}

const repo = makeRepo();
const server = await startServe();
try {
  console.log(`runs per second (echo ok on a one-file repository; ${cpus().length} cores; serve at its default limits)`);
  for (const [clients, total] of [[1, 10], [10, 40], [100, 100]]) {
    const served = await throughput(clients, total, ['--endpoint', server.url, '--repo', repo], { MYCLI_API_KEY: KEY });
    const local = await throughput(clients, total, ['--local', '--repo', repo]);
    console.log(`${`throughput: ${clients} concurrent clients via serve`.padEnd(44)} ${served.toFixed(1).padStart(10)} runs/s   baseline in-process: ${local.toFixed(1)} runs/s  ratio ${(served / local).toFixed(2)}`);
  }
} finally {
  server.stop();
  rmSync(work, { recursive: true, force: true });
}

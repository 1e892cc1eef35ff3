/** A moto server (the AWS emulator) on a free loopback port, for the aws tier. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  /** POST /moto-api/reset: clears every service's state. */
  reset(): Promise<void>;
  /** POST to a /moto-api/ path (state-manager transitions, config). */
  api(path: string, body: unknown): Promise<void>;
  stop(): Promise<void>;
}

export function motoAvailable(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import moto.server, flask'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `moto server is not installed (python3 -c "import moto.server" failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startMoto(showLog = false): Promise<Moto> {
  const port = await freePort();
  const proc: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (showLog) process.stderr.write(d);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`moto server exited (${proc.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto server did not answer on ${endpoint} within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${endpoint}/moto-api/${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status} ${await res.text()}`);
  };
  return {
    endpoint,
    api,
    reset: () => api('reset', {}),
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

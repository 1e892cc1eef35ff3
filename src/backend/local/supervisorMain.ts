/**
 * Entry point of dist/supervisor.js. Two ways in:
 *
 *   node supervisor.js                 payload as JSON on stdin; answers on stdout
 *   node supervisor.js --spare <dir>   a spare (spare.ts): waits for a run on a Unix socket in
 *                                      <dir>, payload and answer on that socket
 *
 * The payload carries credentials, so it never touches the disk; it names the execution's
 * folder. The answer is `started` once the executor runs, or `error <reason>`; then the
 * supervisor supervises to the end. Started ahead of its run (LocalPlatform.prepareStart), it
 * exits quietly on an empty payload when that run never comes.
 */
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { FILES } from './executionStore';
import { ownStartTime } from './processes';
import { anotherSpareWaits, SPARE_CHECK_MS, SPARE_DELAY_MS, SPARE_IDLE_MS, spareDir, startSpare } from './spare';
import { Supervisor, SupervisorPayload } from './supervisor';

let dir: string | undefined;

/** Its own errors go to the run's supervisor.log: a spare, or one started ahead, has no stderr. */
function report(err: unknown): void {
  process.exitCode = 1;
  if (!dir) {
    process.stderr.write(`mycli supervisor: ${(err as Error)?.stack ?? err}\n`);
    return;
  }
  try {
    appendFileSync(join(dir, FILES.supervisorLog), `mycli supervisor: ${(err as Error)?.stack ?? err}\n`, { mode: 0o600 });
  } catch {
    // the run's folder is gone: nothing to tell
  }
}

/** Everything until the writer half-closes, leaving the stream open for the answer (for-await would destroy it). */
function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
  });
}

/** A spare's wait: the first client to connect, told `ready`; undefined when none came in time. */
function waitForClaim(spares: string): Promise<Socket | undefined> {
  const path = join(spares, `${process.pid}.sock`);
  return new Promise((resolve) => {
    // half-open: the client ends its side once the payload is sent, and still awaits the answer
    const server = createServer({ allowHalfOpen: true });
    const finish = (socket: Socket | undefined): void => {
      clearTimeout(idle);
      clearInterval(check);
      server.close();
      rmSync(path, { force: true });
      resolve(socket);
    };
    const idle = setTimeout(() => finish(undefined), SPARE_IDLE_MS);
    // mycli's home removed (a test's, a user's clean-up): no one can claim it any more; or another
    // spare, started by a run that ended at the same time, waits already
    const unwanted = (): boolean => !existsSync(path) || anotherSpareWaits(spares, process.pid);
    const check = setInterval(() => unwanted() && finish(undefined), SPARE_CHECK_MS);
    let claimed = false;
    server.on('connection', (socket) => {
      if (claimed) {
        socket.destroy();
        return;
      }
      claimed = true;
      socket.write('ready\n');
      finish(socket);
    });
    server.on('error', () => finish(undefined));
    server.listen(path, () => unwanted() && finish(undefined));
  });
}

async function main(): Promise<void> {
  for (const sig of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, () => undefined);
  let answer: Writable = process.stdout;
  let text: string;
  if (process.argv[2] === '--spare') {
    ownStartTime(); // read while nothing waits on it
    const socket = await waitForClaim(process.argv[3]!);
    if (!socket) return;
    socket.on('error', () => undefined); // a client that went away: the run goes on
    answer = socket;
    text = await readAll(socket);
  } else {
    text = await readAll(process.stdin);
  }
  if (!text) return; // started ahead for a run that never came
  let payload: SupervisorPayload;
  try {
    payload = JSON.parse(text) as SupervisorPayload;
  } catch {
    // never V8's message: it may quote the payload, which holds the Git credentials
    throw new Error(`the payload (${text.length} characters) is not whole JSON; was its sender stopped?`);
  }
  dir = payload.dir;
  const supervisor = new Supervisor(dir, payload);
  try {
    await supervisor.start();
  } catch (err) {
    answer.end(`error ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  answer.end('started\n');
  await supervisor.run();
  // The next run finds its supervisor waiting. Not at once: the client that follows this run is
  // reading its end just now, and a Node start-up is a good tenth of a second of CPU.
  if (payload.spares) setTimeout(() => startSpare(spareDir(join(dir!, '..', '..', '..'), process.argv[1]!), process.argv[1]!), SPARE_DELAY_MS);
}

process.on('uncaughtException', report);
main().catch(report);

/**
 * Entry point of dist/supervisor.js: `node supervisor.js`, payload as JSON on stdin (it carries
 * credentials, so it never touches the disk), naming the execution's folder. Prints `started` on
 * stdout once the executor runs, or `error <reason>`, then closes stdout and supervises to the
 * end. It may be started before its run exists (LocalPlatform.prepareStart): it waits for its
 * payload, and exits quietly on an empty stdin when that run never comes.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILES } from './executionStore';
import { Supervisor, SupervisorPayload } from './supervisor';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

let dir: string | undefined;

/** Its own errors go to the run's supervisor.log: a supervisor started ahead has no stderr. */
function report(err: unknown): void {
  process.exitCode = 1;
  if (!dir) return;
  try {
    appendFileSync(join(dir, FILES.supervisorLog), `mycli supervisor: ${(err as Error)?.stack ?? err}\n`, { mode: 0o600 });
  } catch {
    // the run's folder is gone: nothing to tell
  }
}

async function main(): Promise<void> {
  for (const sig of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, () => undefined);
  const text = await readStdin();
  if (!text) return; // started ahead for a run that never came
  const payload = JSON.parse(text) as SupervisorPayload;
  dir = payload.dir;
  const supervisor = new Supervisor(dir, payload);
  try {
    await supervisor.start();
  } catch (err) {
    process.stdout.write(`error ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.end('started\n');
  await supervisor.run();
}

process.on('uncaughtException', report);
main().catch(report);

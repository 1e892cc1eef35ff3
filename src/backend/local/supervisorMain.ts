/**
 * Entry point of dist/supervisor.js: `node supervisor.js <execution dir>`, payload as JSON on
 * stdin (it carries credentials, so it never touches the disk). Prints `started` on stdout once
 * the executor runs, or `error <reason>`, then closes stdout and supervises to the end.
 */
import { Supervisor, SupervisorPayload } from './supervisor';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: supervisor.js <execution dir>');
  for (const sig of ['SIGHUP', 'SIGINT', 'SIGPIPE'] as const) process.on(sig, () => undefined);
  const payload = JSON.parse(await readStdin()) as SupervisorPayload;
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

main().catch((err) => {
  process.stderr.write(`mycli supervisor: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});

/** Terminal output: command output on stdout, progress and diagnostics on stderr. */
import { AnyLogEvent, groupByDestination } from '../client/logEvents';
import type { ExecutionInfo } from '../shared/contract';

export function progress(message: string): void {
  process.stderr.write(`mycli: ${message}\n`);
}

/** Writes to a stream and waits when it is full, so a fast log never piles up in memory. */
export function writeOut(stream: NodeJS.WritableStream, ...parts: Array<string | Buffer>): Promise<void> | void {
  let full = false;
  for (const data of parts) full = !stream.write(data) || full;
  if (full) return new Promise((resolve) => stream.once('drain', () => resolve()));
}

/**
 * Prints log events byte for byte: the command's stdout to stdout, its stderr and mycli's own
 * lines to stderr, in the order they were written.
 */
export async function printEvents(events: readonly AnyLogEvent[]): Promise<void> {
  for (const { toStderr, parts } of groupByDestination(events)) await writeOut(toStderr ? process.stderr : process.stdout, ...parts);
}

export function describeDuration(info: ExecutionInfo): string {
  if (!info.started_at || !info.stopped_at) return '';
  const s = (Date.parse(info.stopped_at) - Date.parse(info.started_at)) / 1000;
  return s < 60 ? ` in ${s.toFixed(1)}s` : ` in ${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

export function summary(info: ExecutionInfo): string {
  const code = info.exit_code === null ? '' : ` (exit ${info.exit_code})`;
  const reason = info.status === 'SUCCEEDED' || !info.stopped_reason ? '' : `: ${info.stopped_reason}`;
  return `${info.execution_id} ${info.status}${code}${describeDuration(info)}${reason}`;
}

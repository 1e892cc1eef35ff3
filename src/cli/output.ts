/** Terminal output: command output on stdout, progress and diagnostics on stderr. */
import type { ExecutionInfo, LogEvent } from '../shared/contract';

export function progress(message: string): void {
  process.stderr.write(`mycli: ${message}\n`);
}

/** Writes to a stream and waits when it is full, so a fast log never piles up in memory. */
export function writeOut(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (!stream.write(text)) return new Promise((resolve) => stream.once('drain', () => resolve()));
}

/**
 * Prints log events: the executor's own lines (`mycli: ...`) go to stderr with the other
 * progress, so stdout carries exactly what the command printed.
 */
export async function printEvents(events: LogEvent[]): Promise<void> {
  let out = '';
  for (const e of events) {
    if (e.message.startsWith('mycli: ')) {
      if (out) {
        await writeOut(process.stdout, out);
        out = '';
      }
      process.stderr.write(`${e.message}\n`);
    } else {
      out += `${e.message}\n`;
    }
  }
  if (out) await writeOut(process.stdout, out);
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

/**
 * The one place clients turn log events back into bytes (the CLI and the extension both use it).
 * Events that predate the `stream` field ({timestamp, message}: a line without its newline,
 * mycli's own lines starting "mycli: ") are still understood.
 */
import type { LogEvent, LogStream } from '../shared/contract';

/** An event as any backend may send it: the current shape, or the older one without `stream`. */
export type AnyLogEvent = LogEvent | { timestamp: number; message: string; stream?: undefined; encoding?: undefined };

/** Which stream an event belongs to. */
export function eventStream(event: AnyLogEvent): LogStream {
  if (event.stream) return event.stream;
  return event.message.startsWith('mycli: ') ? 'mycli' : 'stdout';
}

/** The exact bytes the event carries (an older event's line gets its newline back). */
export function eventBytes(event: AnyLogEvent): Buffer {
  const data = eventData(event);
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** The event as text for a display (an output channel): invalid UTF-8 shows as U+FFFD there. */
export function eventText(event: AnyLogEvent): string {
  const data = eventData(event);
  return typeof data === 'string' ? data : data.toString('utf8');
}

/** Whether the client writes the event to its stderr (the command's stderr and mycli's own lines). */
export function isErrorStream(stream: LogStream): boolean {
  return stream !== 'stdout';
}

/**
 * What a stream is given to write the event's bytes: its text as it is when the event is UTF-8
 * (a stream encodes a string as it writes it, with no buffer made for it first), else its bytes.
 */
export function eventData(event: AnyLogEvent): string | Buffer {
  if (!event.stream) return `${event.message}\n`;
  return event.encoding === 'base64' ? Buffer.from(event.message, 'base64') : event.message;
}

/**
 * Consecutive events of the same destination (stdout, or stderr for both stderr and mycli), in
 * order, each group's data as eventData gives it: written one after another, the same bytes in
 * the same interleaving, and nothing copied to join them.
 */
export function groupByDestination(events: readonly AnyLogEvent[]): Array<{ toStderr: boolean; parts: Array<string | Buffer> }> {
  const out: Array<{ toStderr: boolean; parts: Array<string | Buffer> }> = [];
  for (const e of events) {
    const toStderr = isErrorStream(eventStream(e));
    const last = out[out.length - 1];
    if (last?.toStderr === toStderr) last.parts.push(eventData(e));
    else out.push({ toStderr, parts: [eventData(e)] });
  }
  return out;
}

/**
 * Turns log events into the text of an Output channel: whole lines per stream, ANSI escapes
 * stripped, the command's stderr marked, at most `cap` lines kept. Pure: no `vscode` here.
 */
import { stripVTControlCharacters } from 'node:util';
import { AnyLogEvent, eventStream, eventText } from '../../client/logEvents';
import type { LogStream } from '../../shared/contract';

/** Put before each line the command wrote to stderr (a plain-text channel has no colours of its own). */
export const STDERR_MARK = '[stderr] ';

/** What the channel should do with a batch: append text, or replace its whole text (after the cap dropped lines). */
export interface RenderStep {
  append?: string;
  replace?: string;
}

/** One line as shown: no escapes; of a carriage-return progress line only what was drawn last. */
export function cleanLine(raw: string): string {
  const line = stripVTControlCharacters(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
  const cr = line.lastIndexOf('\r');
  return cr >= 0 ? line.slice(cr + 1) : line;
}

export class LogRenderer {
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '', mycli: '' };
  private kept: string[] = [];
  private dropped = 0;

  constructor(private cap: number, private readonly hint = '') {}

  /** A new cap applies from the next batch on. */
  setCap(cap: number): void {
    this.cap = cap;
  }

  get droppedLines(): number {
    return this.dropped;
  }

  /** Every line currently shown, with the note about dropped lines first. */
  text(): string {
    return this.header() + this.kept.map((l) => `${l}\n`).join('');
  }

  push(events: readonly AnyLogEvent[]): RenderStep {
    const lines: string[] = [];
    for (const event of events) {
      const stream = eventStream(event);
      const parts = (this.partial[stream] + eventText(event)).split('\n');
      this.partial[stream] = parts.pop()!;
      for (const p of parts) lines.push(this.format(stream, p));
    }
    return this.add(lines);
  }

  /** At the end of the log: lines left without a final newline are shown too. */
  finish(): RenderStep {
    const lines: string[] = [];
    for (const stream of ['stdout', 'stderr', 'mycli'] as const) {
      if (this.partial[stream] !== '') lines.push(this.format(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return this.add(lines);
  }

  private format(stream: LogStream, raw: string): string {
    const line = cleanLine(raw);
    return stream === 'stderr' ? STDERR_MARK + line : line;
  }

  private header(): string {
    return this.dropped ? `… ${this.dropped} earlier line(s) not shown (the cap is ${this.cap} lines${this.hint})\n` : '';
  }

  private add(lines: string[]): RenderStep {
    if (!lines.length) return {};
    this.kept.push(...lines);
    // Replacing the channel's text costs as much as the text, so it is done only once the cap
    // is passed by a tenth: memory and the channel stay bounded, and most batches only append.
    const slack = Math.max(1, Math.floor(this.cap / 10));
    if (this.kept.length <= this.cap + slack) return { append: lines.map((l) => `${l}\n`).join('') };
    const drop = this.kept.length - this.cap;
    this.kept = this.kept.slice(drop);
    this.dropped += drop;
    return { replace: this.text() };
  }
}

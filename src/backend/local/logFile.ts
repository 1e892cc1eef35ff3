/**
 * The per-execution log: one record per output line, `<epoch ms>\t<line>\n`, appended by the
 * supervisor as the command writes. Readers page through it by byte offset, which is the
 * API's `next_token`, and only ever consume whole records, so no line is cut or doubled.
 */
import { open } from 'node:fs/promises';
import type { LogEvent } from '../../shared/contract';
import { invalid } from '../../shared/errors';

/** A line longer than this is split into several events (CloudWatch caps an event at 256 KiB). */
export const MAX_LINE_BYTES = 64 * 1024;
const PAGE_BYTES = 4 * 1024 * 1024;
const READ_BYTES = 256 * 1024;
const NL = 0x0a;
const NL_BUFFER = Buffer.from('\n');
const MASK = Buffer.from('***');

export function tokenFromOffset(offset: number): string {
  return `o${offset}`;
}

export function offsetFromToken(token: string | undefined): number {
  if (!token) return 0;
  const m = /^o(\d{1,15})$/.exec(token);
  if (!m) throw invalid(`next_token "${token}" is not a token this backend returned`, 'next_token');
  return Number(m[1]);
}

export interface LogPage {
  events: LogEvent[];
  nextOffset: number;
  /** True when the page reached the end of the file as it was when read. */
  atEnd: boolean;
}

export async function readLogPage(file: string, offset: number, limit: number): Promise<LogPage> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], nextOffset: offset, atEnd: true };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const events: LogEvent[] = [];
    let next = offset;
    // Read in blocks until the page is full, so a small limit reads little and a large one stays bounded.
    while (events.length < limit && next < size && next - offset < PAGE_BYTES) {
      const want = Math.min(READ_BYTES, size - next);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buf, 0, want, next);
      let pos = 0;
      while (events.length < limit) {
        const nl = buf.indexOf(NL, pos);
        if (nl < 0 || nl >= bytesRead) break;
        const tab = buf.indexOf(0x09, pos);
        const message = buf.toString('utf8', tab + 1, nl + 1);
        events.push({ timestamp: Number(buf.toString('latin1', pos, tab)), stream: message.startsWith('mycli: ') ? 'mycli' : 'stdout', message });
        pos = nl + 1;
      }
      if (pos === 0) break; // a record still being written
      next += pos;
    }
    return { events, nextOffset: next, atEnd: next >= size };
  } finally {
    await handle.close();
  }
}

/** Splits a byte stream into lines and appends them as records; holds a partial line until its end arrives. */
export class LogWriter {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The last line the executor wrote about itself (`mycli: ...`), used as the stop reason. */
  lastExecutorLine: string | undefined;

  private readonly secrets: Buffer[];

  /** `secrets` are replaced by *** wherever they appear in a line: no credential reaches a log. */
  constructor(
    private readonly write: (data: Buffer) => void,
    secrets: string[] = [],
  ) {
    this.secrets = secrets
      .flatMap((s) => (s.includes('\n') ? s.split('\n').filter((l) => l.trim().length >= 16) : [s]))
      .filter((s) => s.length >= 4)
      .sort((a, b) => b.length - a.length)
      .map((s) => Buffer.from(s.replace(/\r$/, '')));
  }

  private mask(line: Buffer): Buffer {
    for (const secret of this.secrets) {
      let at = line.indexOf(secret);
      if (at < 0) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (; at >= 0; at = line.indexOf(secret, from)) {
        parts.push(line.subarray(from, at), MASK);
        from = at + secret.length;
      }
      parts.push(line.subarray(from));
      line = Buffer.concat(parts);
    }
    return line;
  }

  push(chunk: Buffer): void {
    const records: Buffer[] = [];
    const now = Buffer.from(`${Date.now()}\t`, 'latin1');
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NL, pos);
      const end = nl < 0 ? chunk.length : nl;
      this.partial.push(chunk.subarray(pos, end));
      this.partialBytes += end - pos;
      while (this.partialBytes > MAX_LINE_BYTES) {
        // Cut an over-long line into events on a UTF-8 character boundary, so each decodes whole.
        const line = Buffer.concat(this.partial);
        let cut = MAX_LINE_BYTES;
        while (cut > 0 && (line[cut]! & 0xc0) === 0x80) cut--;
        records.push(now, this.mask(line.subarray(0, cut)), NL_BUFFER);
        this.partial = [line.subarray(cut)];
        this.partialBytes = line.length - cut;
      }
      if (nl < 0) break;
      records.push(now, this.takeLine(), NL_BUFFER);
      pos = nl + 1;
    }
    if (records.length) this.write(Buffer.concat(records));
  }

  /** Writes a trailing line that had no newline. */
  end(): void {
    if (this.partialBytes > 0) this.write(Buffer.concat([Buffer.from(`${Date.now()}\t`), this.takeLine(), NL_BUFFER]));
  }

  private takeLine(): Buffer {
    const line = this.mask(Buffer.concat(this.partial));
    this.partial = [];
    this.partialBytes = 0;
    if (line[0] === 0x6d /* m */ && line.subarray(0, 7).toString() === 'mycli: ') this.lastExecutorLine = line.toString('utf8', 7);
    return line;
  }
}

/**
 * The per-execution log of the local platform: the command's output as the chunks it was read
 * in, each a record of a 12-byte header and the chunk's bytes exactly:
 *
 *   byte 0      0xF5 (a byte that never occurs in UTF-8 text, so a wrong offset is noticed)
 *   byte 1      stream: 1 stdout, 2 stderr, 3 mycli
 *   bytes 2-7   timestamp, ms since the epoch, unsigned little-endian
 *   bytes 8-11  length of the chunk, unsigned little-endian (at most MAX_CHUNK_BYTES)
 *
 * The supervisor appends records as output arrives; readers page through them by byte offset,
 * which is the API's opaque `next_token`, and only ever consume whole records, so nothing is
 * cut or doubled.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, statSync, writeSync, writevSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { LogEvent, LogStream } from '../../shared/contract';
import { invalid, MycliError } from '../../shared/errors';

const MAGIC = 0xf5;
export const HEADER_BYTES = 12;
/** A chunk longer than this is stored as several records (CloudWatch caps an event at 256 KiB). */
export const MAX_CHUNK_BYTES = 64 * 1024;
/**
 * How much a page reads at most. Small enough that a page's strings and JSON stay under V8's
 * large-object size and die young, so readers (the CLI, `mycli serve`) keep a flat memory
 * however long the log; a first record larger than this is still read whole.
 */
const PAGE_BYTES = 96 * 1024;

const STREAM_CODES: Record<LogStream, number> = { stdout: 1, stderr: 2, mycli: 3 };
const STREAMS: Array<LogStream | undefined> = [undefined, 'stdout', 'stderr', 'mycli'];

export function tokenFromOffset(offset: number): string {
  return `o${offset}`;
}

export function offsetFromToken(token: string | undefined): number {
  if (!token) return 0;
  const m = /^o(\d{1,15})$/.exec(token);
  if (!m) throw invalid(`next_token "${token}" is not a token this backend returned`, 'next_token');
  return Number(m[1]);
}

/** One record: header and bytes. `data` must be at most MAX_CHUNK_BYTES long. */
export function encodeRecord(stream: LogStream, data: Buffer, timestamp = Date.now()): Buffer {
  return Buffer.concat([recordHeader(stream, data.length, timestamp), data]);
}

/** The 12 bytes that frame a record of `length` bytes. */
export function recordHeader(stream: LogStream, length: number, timestamp: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES);
  out[0] = MAGIC;
  out[1] = STREAM_CODES[stream];
  out.writeUIntLE(timestamp, 2, 6);
  out.writeUInt32LE(length, 8);
  return out;
}

/** The log's size in bytes now (0 before it exists). */
export function logSize(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/** A chunk as an API event: UTF-8 text when it is valid UTF-8, base64 otherwise. */
export function eventFromChunk(stream: LogStream, timestamp: number, data: Buffer): LogEvent {
  return isUtf8(data)
    ? { timestamp, stream, message: data.toString('utf8') }
    : { timestamp, stream, message: data.toString('base64'), encoding: 'base64' };
}

export interface LogPage {
  events: LogEvent[];
  nextOffset: number;
  /** True when the page reached the end of the file as it was when read. */
  atEnd: boolean;
}

/**
 * The buffer a page is read into, kept: a new one each page costs its page faults again. Nothing
 * holds on to it, as each record's bytes are copied into its event's text (eventFromChunk), and
 * a page is read and parsed without an await in between.
 */
let pageBuffer: Buffer | undefined;

/**
 * Reads the records from `offset` on. Synchronous reads of at most a page: from the page cache
 * they take microseconds, less than the thread-pool round trips of asynchronous ones.
 */
export async function readLogPage(file: string, offset: number, limit: number, pageBytes = PAGE_BYTES): Promise<LogPage> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], nextOffset: offset, atEnd: true };
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    const read = (bytes: number): Buffer => {
      const buf = bytes <= PAGE_BYTES ? (pageBuffer ??= Buffer.allocUnsafe(PAGE_BYTES)) : Buffer.allocUnsafe(bytes);
      return buf.subarray(0, bytes ? readSync(fd, buf, 0, bytes, offset) : 0);
    };
    let buf = read(Math.min(pageBytes, Math.max(0, size - offset)));
    let page = parseRecords(buf, offset, limit, file);
    if (page.events.length === 0 && buf.length >= HEADER_BYTES) {
      // a first record larger than a page is read on its own once it is whole
      const whole = HEADER_BYTES + buf.readUInt32LE(8);
      if (whole > buf.length && offset + whole <= size) {
        buf = read(whole);
        page = parseRecords(buf, offset, limit, file);
      }
    }
    return { events: page.events, nextOffset: offset + page.used, atEnd: offset + page.used >= size };
  } finally {
    closeSync(fd);
  }
}

/** The whole records at the start of `buf` (read at `offset`), at most `limit` of them. */
function parseRecords(buf: Buffer, offset: number, limit: number, file: string): { events: LogEvent[]; used: number } {
  const events: LogEvent[] = [];
  let pos = 0;
  while (events.length < limit && pos + HEADER_BYTES <= buf.length) {
    const stream = STREAMS[buf[pos + 1]!];
    if (buf[pos] !== MAGIC || !stream) {
      if (pos === 0) throw invalid(`next_token "${tokenFromOffset(offset)}" does not point at the start of a log record`, 'next_token');
      throw new MycliError('backend_error', `the log ${file} is damaged at byte ${offset + pos}`);
    }
    const end = pos + HEADER_BYTES + buf.readUInt32LE(pos + 8);
    if (end > buf.length) break; // still being written, or beyond this page
    events.push(eventFromChunk(stream, buf.readUIntLE(pos + 2, 6), buf.subarray(pos + HEADER_BYTES, end)));
    pos = end;
  }
  return { events, used: pos };
}

/**
 * Appends records to a log file with synchronous writes, so a record is in the file before the
 * next chunk is read. A failed write (a full disk) truncates the file back to its last whole
 * record and is remembered: later appends are dropped and `error` says why.
 */
export class LogAppender {
  private readonly fd: number;
  private size: number;
  error: Error | undefined;

  constructor(file: string) {
    this.fd = openSync(file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /** Appends the buffers in one write (records framed as header and chunk, never copied together). */
  append(parts: Buffer[]): void {
    const total = parts.reduce((n, p) => n + p.length, 0);
    if (this.error || total === 0) return;
    try {
      const done = writevSync(this.fd, parts);
      if (done < total) {
        const rest = Buffer.concat(parts).subarray(done);
        for (let at = 0; at < rest.length; at += writeSync(this.fd, rest, at, rest.length - at));
      }
      this.size += total;
    } catch (err) {
      this.error = err as Error;
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the file keeps a partial record at its end; readers stop before it
      }
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Secret values as bytes, longest first; a multi-line secret also by each of its long lines. */
function secretBytes(secrets: string[]): Buffer[] {
  return [...new Set(secrets.flatMap((s) => (s.includes('\n') ? [s, ...s.split('\n').filter((l) => l.trim().length >= 16)] : [s])))]
    .map((s) => s.replace(/\r$/, ''))
    .filter((s) => s.length >= 4)
    .sort((a, b) => b.length - a.length)
    .map((s) => Buffer.from(s));
}

const MASK = Buffer.from('***');

/** Length of the longest end of `data` that is the start of a character still to be completed. */
function incompleteUtf8Tail(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const b = data[data.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Turns the streams of a run into records. Each stream's chunks are masked (secrets replaced by
 * ***, also when one arrives split across chunks), then framed and written at once, partial lines
 * included. The only bytes held back are an end that may be the start of a secret or of a UTF-8
 * character, until the next chunk (or `end`) decides; so records of text are whole characters.
 */
export class LogWriter {
  private readonly secrets: Buffer[];
  private readonly carry: Partial<Record<LogStream, Buffer>> = {};
  private executorLine = '';
  /** The last line the executor wrote about itself (`mycli: ...`), used as the stop reason. */
  lastExecutorLine: string | undefined;

  constructor(
    private readonly write: (parts: Buffer[]) => void,
    secrets: string[] = [],
  ) {
    this.secrets = secretBytes(secrets);
  }

  push(stream: LogStream, chunk: Buffer, timestamp = Date.now()): void {
    const held = this.carry[stream];
    let data = held ? Buffer.concat([held, chunk]) : chunk;
    data = this.mask(data);
    const keep = Math.max(this.secretPrefixTail(data), incompleteUtf8Tail(data));
    this.carry[stream] = keep ? Buffer.from(data.subarray(data.length - keep)) : undefined;
    this.emit(stream, data.subarray(0, data.length - keep), timestamp);
  }

  /** Writes whatever each stream still holds. */
  end(): void {
    for (const stream of Object.keys(this.carry) as LogStream[]) {
      const held = this.carry[stream];
      this.carry[stream] = undefined;
      if (held) this.emit(stream, held, Date.now());
    }
    if (this.executorLine.startsWith('mycli: ')) this.lastExecutorLine = this.executorLine.slice(7);
    this.executorLine = '';
  }

  private emit(stream: LogStream, data: Buffer, timestamp: number): void {
    if (!data.length) return;
    if (stream === 'mycli') this.noteExecutorLines(data);
    const parts: Buffer[] = [];
    for (let at = 0; at < data.length; ) {
      let cut = Math.min(at + MAX_CHUNK_BYTES, data.length);
      // an over-long chunk is cut between characters, so each record of text stays valid UTF-8
      if (cut < data.length) for (let back = 0; back < 3 && (data[cut]! & 0xc0) === 0x80; back++) cut--;
      parts.push(recordHeader(stream, cut - at, timestamp), data.subarray(at, cut));
      at = cut;
    }
    this.write(parts);
  }

  private noteExecutorLines(data: Buffer): void {
    const lines = (this.executorLine + data.toString('utf8')).split('\n');
    this.executorLine = lines.pop()!.slice(-4096);
    for (const line of lines) if (line.startsWith('mycli: ')) this.lastExecutorLine = line.slice(7);
  }

  private mask(data: Buffer): Buffer {
    for (const secret of this.secrets) {
      let at = data.indexOf(secret);
      if (at < 0) continue;
      const parts: Buffer[] = [];
      let from = 0;
      for (; at >= 0; at = data.indexOf(secret, from)) {
        parts.push(data.subarray(from, at), MASK);
        from = at + secret.length;
      }
      parts.push(data.subarray(from));
      data = Buffer.concat(parts);
    }
    return data;
  }

  /** Length of the longest end of `data` that is the start of some secret. */
  private secretPrefixTail(data: Buffer): number {
    let best = 0;
    for (const secret of this.secrets) {
      const window = Math.min(secret.length - 1, data.length);
      for (let at = data.length - window; at < data.length - best; at++) {
        at = data.indexOf(secret[0]!, at);
        if (at < 0 || at >= data.length - best) break;
        if (data.subarray(at).equals(secret.subarray(0, data.length - at))) {
          best = data.length - at;
          break;
        }
      }
    }
    return best;
  }
}

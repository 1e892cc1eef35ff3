// The local platform's log file: LogWriter frames each stream's chunks as records, exactly as
// written, and readLogPage pages through them by offset, never cutting or doubling a chunk.
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, promises as fs, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { eventBytes } from '../../src/client/logEvents';
import {
  encodeRecord, HEADER_BYTES, LogAppender, LogWriter, MAX_CHUNK_BYTES, offsetFromToken, readLogPage, tokenFromOffset,
} from '../../src/backend/local/logFile';
import type { LogEvent, LogStream } from '../../src/shared/contract';
import { MycliError } from '../../src/shared/errors';
import { makeTempDir, removeDir } from '../support/gitRepos';

describe('log file', () => {
  let tmp: string;
  let n = 0;
  before(async () => {
    tmp = await makeTempDir('mycli-logfile-');
  });
  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  /** A new empty log file and a LogWriter appending to it. */
  function newLog(secrets: string[] = []): { file: string; writer: LogWriter } {
    const file = path.join(tmp, `log${n++}.bin`);
    writeFileSync(file, '');
    return { file, writer: new LogWriter((parts) => appendFileSync(file, Buffer.concat(parts)), secrets) };
  }

  /** Writes `chunks` (stdout unless given as [stream, data]) through a LogWriter, then end(). */
  function writeChunks(chunks: Array<string | Buffer | [LogStream, string | Buffer]>, opts: { end?: boolean; secrets?: string[] } = {}): { file: string; writer: LogWriter } {
    const log = newLog(opts.secrets);
    for (const c of chunks) {
      const [stream, data] = Array.isArray(c) ? c : ['stdout' as const, c];
      log.writer.push(stream, typeof data === 'string' ? Buffer.from(data) : data);
    }
    if (opts.end ?? true) log.writer.end();
    return log;
  }

  /** Reads every page from offset 0 with the given limit. */
  async function readAll(file: string, limit = 1000): Promise<{ events: LogEvent[]; pages: number[] }> {
    const events: LogEvent[] = [];
    const pages: number[] = [];
    let offset = 0;
    for (;;) {
      const page = await readLogPage(file, offset, limit);
      assert.ok(page.events.length <= limit, 'a page holds at most limit events');
      assert.ok(page.nextOffset >= offset, 'the offset never goes back');
      events.push(...page.events);
      if (page.events.length) pages.push(page.events.length);
      if (page.atEnd) break;
      assert.ok(page.events.length > 0, 'a page that is not at the end returns events');
      offset = page.nextOffset;
    }
    return { events, pages };
  }

  /** The bytes of one stream, joined back from its events. */
  const streamBytes = (events: LogEvent[], stream: LogStream): Buffer => Buffer.concat(events.filter((e) => e.stream === stream).map(eventBytes));
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

  it('writes each chunk as an event at once, partial lines included, with a millisecond timestamp', async () => {
    const before = Date.now();
    const { file } = writeChunks(['hello\nwor', 'ld\n', 'no newline'], { end: false });
    const { events } = await readAll(file);
    assert.deepEqual(events.map((e) => [e.stream, e.message, e.encoding]), [['stdout', 'hello\nwor', undefined], ['stdout', 'ld\n', undefined], ['stdout', 'no newline', undefined]]);
    for (const e of events) assert.ok(e.timestamp >= before && e.timestamp <= Date.now(), `timestamp ${e.timestamp}`);
  });

  it('keeps the streams apart and in the order their chunks arrived', async () => {
    const { file } = writeChunks([['stdout', 'out 1\n'], ['stderr', 'err 1'], ['mycli', 'mycli: note\n'], ['stdout', 'out 2'], ['stderr', '\n']]);
    const { events } = await readAll(file);
    assert.deepEqual(events.map((e) => `${e.stream}:${e.message}`), ['stdout:out 1\n', 'stderr:err 1', 'mycli:mycli: note\n', 'stdout:out 2', 'stderr:\n']);
  });

  it('keeps CR, CRLF, tabs, NUL and empty lines byte for byte', async () => {
    const text = 'a\r\nb\rprogress 10%\rprogress 100%\n\n\tx\0y\n';
    const { file } = writeChunks([text]);
    assert.equal(streamBytes((await readAll(file)).events, 'stdout').toString(), text);
  });

  it('returns random binary data exactly, as base64 events', async () => {
    const out = randomBytes(300_000);
    const err = randomBytes(70_000);
    const chunks: Array<[LogStream, Buffer]> = [];
    for (let at = 0; at < out.length; at += 9000) chunks.push(['stdout', out.subarray(at, at + 9000)]);
    for (let at = 0; at < err.length; at += 7001) chunks.push(['stderr', err.subarray(at, at + 7001)]);
    const { file } = writeChunks(chunks);
    const { events } = await readAll(file, 7);
    assert.equal(sha(streamBytes(events, 'stdout')), sha(out));
    assert.equal(sha(streamBytes(events, 'stderr')), sha(err));
    assert.ok(events.some((e) => e.encoding === 'base64'));
  });

  it('holds back a UTF-8 character split across chunks until it is whole, so text events stay text', async () => {
    const text = 'héllo wörld — 日本語 🎉 done\nsecond ✓';
    const { file } = writeChunks(Array.from(Buffer.from(text), (b) => Buffer.from([b])));
    const { events } = await readAll(file);
    assert.ok(events.every((e) => e.encoding === undefined), 'every event is text');
    assert.equal(events.map((e) => e.message).join(''), text);
  });

  it('stores a chunk over MAX_CHUNK_BYTES as several records, cut between characters', async () => {
    const long = 'a' + 'é'.repeat(MAX_CHUNK_BYTES); // a 2-byte character straddles each cut
    const { file } = writeChunks([long]);
    const { events } = await readAll(file);
    assert.ok(events.length >= 3, `${events.length} events`);
    for (const e of events) {
      assert.equal(e.encoding, undefined);
      assert.ok(Buffer.byteLength(e.message) <= MAX_CHUNK_BYTES);
    }
    assert.equal(events.map((e) => e.message).join(''), long);
  });

  it('a 2 MB single line comes back whole, with no newline added', async () => {
    const line = Buffer.alloc(2 * 1024 * 1024, 'x');
    const chunks: Buffer[] = [];
    for (let at = 0; at < line.length; at += 65536) chunks.push(line.subarray(at, at + 65536));
    const { file } = writeChunks(chunks);
    assert.ok(streamBytes((await readAll(file, 10)).events, 'stdout').equals(line));
  });

  it('pages with a limit and next offset never cut or double a chunk', async () => {
    const chunks = Array.from({ length: 1000 }, (_, i) => `chunk ${i} ${'é'.repeat(i % 7)}${'x'.repeat((i * 37) % 200)}${i % 3 ? '\n' : ''}`);
    const { file } = writeChunks(chunks);
    for (const limit of [1, 7, 100, 1000, 10000]) {
      const { events, pages } = await readAll(file, limit);
      assert.deepEqual(events.map((e) => e.message), chunks, `limit ${limit}`);
      // a page ends at `limit` events or at its byte size, whichever comes first
      assert.ok(pages.length >= Math.ceil(chunks.length / limit), `pages with limit ${limit}`);
      assert.ok(pages.slice(0, -1).every((p) => p === limit) || limit > 100, `full pages with limit ${limit}`);
    }
  });

  it('reading while the writer appends returns each chunk once', async () => {
    const { file, writer } = newLog();
    const seen: string[] = [];
    let offset = 0;
    const read = async (): Promise<void> => {
      const page = await readLogPage(file, offset, 3);
      seen.push(...page.events.map((e) => e.message));
      offset = page.nextOffset;
    };
    for (let i = 0; i < 50; i++) {
      writer.push('stdout', Buffer.from(`l${i}-a `));
      await read();
      writer.push('stderr', Buffer.from(`l${i}-b\n`));
      await read();
    }
    writer.end();
    await read();
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => [`l${i}-a `, `l${i}-b\n`]).flat());
  });

  it('a record still being written is not returned until it is whole', async () => {
    const file = path.join(tmp, `log${n++}.bin`);
    const record = encodeRecord('stdout', Buffer.from('complete'));
    writeFileSync(file, Buffer.concat([record, record.subarray(0, HEADER_BYTES + 3)]));
    const page = await readLogPage(file, 0, 10);
    assert.deepEqual(page.events.map((e) => e.message), ['complete']);
    assert.equal(page.nextOffset, record.length);
    assert.equal(page.atEnd, false);
  });

  it('a record larger than a page is still read, on its own', async () => {
    const { file } = writeChunks(['x'.repeat(MAX_CHUNK_BYTES), 'after']);
    const first = await readLogPage(file, 0, 10, 1000);
    assert.deepEqual(first.events.map((e) => e.message.length), [MAX_CHUNK_BYTES]);
    const second = await readLogPage(file, first.nextOffset, 10, 1000);
    assert.deepEqual(second.events.map((e) => e.message), ['after']);
    assert.equal(second.atEnd, true);
  });

  it('a token that does not point at a record is refused', async () => {
    const { file } = writeChunks(['some output\n']);
    await assert.rejects(readLogPage(file, 3, 10), (err: unknown) => err instanceof MycliError && err.code === 'invalid_request' && err.field === 'next_token');
  });

  it('a missing file is an empty page at the end', async () => {
    assert.deepEqual(await readLogPage(path.join(tmp, 'missing.log'), 0, 10), { events: [], nextOffset: 0, atEnd: true });
  });

  it('an offset at or past the end is an empty page at the end', async () => {
    const { file } = writeChunks(['a\n']);
    const size = (await fs.stat(file)).size;
    assert.deepEqual(await readLogPage(file, size, 10), { events: [], nextOffset: size, atEnd: true });
    assert.deepEqual(await readLogPage(file, size + 100, 10), { events: [], nextOffset: size + 100, atEnd: true });
  });

  it('masks credential values wherever they appear, also split across chunks, and writes the rest at once', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----';
    const { file, writer } = writeChunks(
      ['token ghp_sec', 'ret123 and ghp_secret123 twice\n', 'b3BlbnNzaC1r', 'ZXktdjEAAAAABG5vbmU\n', 'clean g'],
      { end: false, secrets: ['ghp_secret123', key] },
    );
    const before = (await readAll(file)).events.map((e) => e.message).join('');
    assert.equal(before, 'token *** and *** twice\n***\nclean ', 'only a possible start of a secret ("g") is held back');
    writer.push('stdout', Buffer.from('o on\n'));
    writer.end();
    assert.equal((await readAll(file)).events.map((e) => e.message).join(''), 'token *** and *** twice\n***\nclean go on\n');
  });

  it('masks per stream: a secret split across stdout and stderr is two harmless pieces', async () => {
    const { file } = writeChunks([['stdout', 'a ghp_sec'], ['stderr', 'ret123'], ['stdout', 'ret123 b']], { secrets: ['ghp_secret123'] });
    const { events } = await readAll(file);
    assert.equal(streamBytes(events, 'stdout').toString(), 'a *** b');
    assert.equal(streamBytes(events, 'stderr').toString(), 'ret123');
  });

  it('tracks the last executor line (`mycli: …`) of the mycli stream only', () => {
    const { writer } = newLog();
    assert.equal(writer.lastExecutorLine, undefined);
    writer.push('mycli', Buffer.from('mycli: cloning https://github.com/org/repo.git\n'));
    writer.push('stderr', Buffer.from('mycli: the command pretending\n'));
    assert.equal(writer.lastExecutorLine, 'cloning https://github.com/org/repo.git');
    writer.push('mycli', Buffer.from('myc'));
    writer.push('mycli', Buffer.from('li: clone failed: exit 128'));
    assert.equal(writer.lastExecutorLine, 'cloning https://github.com/org/repo.git', 'not before the line is complete');
    writer.end();
    assert.equal(writer.lastExecutorLine, 'clone failed: exit 128');
  });

  it('LogAppender truncates a failed write back to the last whole record and drops the rest', async () => {
    if (!existsSync('/dev/full')) return;
    const appender = new LogAppender('/dev/full');
    appender.append([encodeRecord('stdout', Buffer.from('x'))]);
    assert.match(String(appender.error), /ENOSPC/);
    appender.append([encodeRecord('stdout', Buffer.from('y'))]);
    appender.close();
  });

  describe('tokens', () => {
    for (const offset of [0, 1, 4096, 123456789012345]) {
      it(`offset ${offset} round-trips through a token`, () => assert.equal(offsetFromToken(tokenFromOffset(offset)), offset));
    }
    it('no token means offset 0', () => {
      assert.equal(offsetFromToken(undefined), 0);
      assert.equal(offsetFromToken(''), 0);
    });
    for (const token of ['42', 'o', 'o-1', 'ox', 'o1.5', 'O5', ' o5', 'o5 ', 'o1234567890123456', 'f/forward/123']) {
      it(`refuses the token ${JSON.stringify(token)}`, () => {
        assert.throws(() => offsetFromToken(token), (err: unknown) => {
          assert.ok(err instanceof MycliError);
          assert.equal(err.code, 'invalid_request');
          assert.equal(err.httpStatus, 400);
          assert.equal(err.field, 'next_token');
          assert.equal(err.message, `next_token "${token}" is not a token this backend returned`);
          return true;
        });
      });
    }
  });
});

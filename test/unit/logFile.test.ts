// The local platform's log file: LogWriter turns a byte stream into line records and
// readLogPage pages through them by offset, never cutting or doubling a line.
import * as assert from 'node:assert/strict';
import { appendFileSync, promises as fs, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LogWriter, MAX_LINE_BYTES, offsetFromToken, readLogPage, tokenFromOffset } from '../../src/backend/local/logFile';
import type { LogEvent } from '../../src/shared/contract';
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
  function newLog(): { file: string; writer: LogWriter } {
    const file = path.join(tmp, `log${n++}.txt`);
    writeFileSync(file, '');
    return { file, writer: new LogWriter((data) => appendFileSync(file, data)) };
  }

  /** Writes `chunks` through a LogWriter (then end()) and returns the file. */
  function writeChunks(chunks: Array<string | Buffer>, end = true): { file: string; writer: LogWriter } {
    const log = newLog();
    for (const c of chunks) log.writer.push(typeof c === 'string' ? Buffer.from(c) : c);
    if (end) log.writer.end();
    return log;
  }

  /** Reads every page from offset 0 with the given limit; returns all events and the pages' sizes. */
  async function readAll(file: string, limit: number): Promise<{ events: LogEvent[]; pages: number[] }> {
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

  const messages = async (file: string, limit = 1000): Promise<string[]> => (await readAll(file, limit)).events.map((e) => e.message.replace(/\n$/, ''));

  it('writes one event per line, with a millisecond timestamp', async () => {
    const before = Date.now();
    const { file } = writeChunks(['hello\nworld\n']);
    const { events } = await readAll(file, 100);
    assert.deepEqual(events.map((e) => e.message.replace(/\n$/, "")), ['hello', 'world']);
    for (const e of events) assert.ok(e.timestamp >= before && e.timestamp <= Date.now(), `timestamp ${e.timestamp}`);
  });

  it('joins a line split across chunks', async () => {
    const { file } = writeChunks(['hel', 'lo wo', 'rld\nsec', 'ond\n']);
    assert.deepEqual(await messages(file), ['hello world', 'second']);
  });

  it('splits several lines in one chunk, keeping empty lines', async () => {
    const { file } = writeChunks(['a\nb\n\nc\n\n']);
    assert.deepEqual(await messages(file), ['a', 'b', '', 'c', '']);
  });

  it('holds a trailing partial line until end() writes it', async () => {
    const { file, writer } = writeChunks(['one\ntwo\npartial'], false);
    assert.deepEqual(await messages(file), ['one', 'two']);
    writer.end();
    assert.deepEqual(await messages(file), ['one', 'two', 'partial']);
  });

  it('end() writes nothing when the output ended with a newline', async () => {
    const { file } = writeChunks(['one\n']);
    assert.deepEqual(await messages(file), ['one']);
  });

  it('keeps tabs and carriage returns inside a line', async () => {
    const { file } = writeChunks(['col1\tcol2\t\tcol4\n\tindented\nwin\r\n']);
    assert.deepEqual(await messages(file), ['col1\tcol2\t\tcol4', '\tindented', 'win\r']);
  });

  it('keeps UTF-8 characters split across chunk boundaries intact', async () => {
    const text = 'héllo wörld — 日本語 🎉 done\nsecond ✓\n';
    const bytes = Buffer.from(text);
    // every possible split into 1-byte chunks is the hardest case
    const { file } = writeChunks(Array.from(bytes, (b) => Buffer.from([b])));
    assert.deepEqual(await messages(file), ['héllo wörld — 日本語 🎉 done', 'second ✓']);
  });

  it('splits an ASCII line longer than MAX_LINE_BYTES into pieces that concatenate back exactly', async () => {
    const long = Array.from({ length: MAX_LINE_BYTES * 2 + 123 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const { file } = writeChunks([long.slice(0, 1000), long.slice(1000, 70000), long.slice(70000) + '\nafter\n']);
    const got = await messages(file);
    assert.equal(got.length, 4);
    assert.deepEqual(got.slice(0, 3).map((m) => Buffer.byteLength(m)), [MAX_LINE_BYTES, MAX_LINE_BYTES, 123]);
    assert.equal(got.slice(0, 3).join(''), long);
    assert.equal(got[3], 'after');
  });

  it('splits a line of exactly MAX_LINE_BYTES into one event', async () => {
    const { file } = writeChunks(['x'.repeat(MAX_LINE_BYTES) + '\n']);
    assert.deepEqual((await messages(file)).map((m) => m.length), [MAX_LINE_BYTES]);
  });

  it('splits a long line of multibyte characters without breaking a character', async () => {
    const long = 'a' + 'é'.repeat(MAX_LINE_BYTES); // 2*MAX+1 bytes: a 2-byte character straddles each cut
    const { file } = writeChunks([long + '\n']);
    const got = await messages(file);
    assert.ok(got.length >= 3, `split into ${got.length} events`);
    for (const m of got) {
      assert.ok(!m.includes('\uFFFD'), 'no replacement character in any piece');
      assert.ok(Buffer.byteLength(m) <= MAX_LINE_BYTES, 'each piece fits');
    }
    assert.equal(got.join(''), long);
  });

  it('pages with a limit and next offset never cut or double a line', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}\t${'x'.repeat((i * 37) % 200)}`);
    // chunks that cut lines at arbitrary byte positions
    const all = Buffer.from(lines.join('\n') + '\n');
    const chunks: Buffer[] = [];
    for (let pos = 0, k = 1; pos < all.length; pos += k, k = (k * 7 + 3) % 97 + 1) chunks.push(all.subarray(pos, pos + k));
    const { file } = writeChunks(chunks);
    for (const limit of [1, 7, 100, 1000, 10000]) {
      const { events, pages } = await readAll(file, limit);
      assert.deepEqual(events.map((e) => e.message.replace(/\n$/, "")), lines, `limit ${limit}`);
      assert.equal(pages.length, Math.ceil(lines.length / limit), `pages with limit ${limit}`);
    }
  });

  it('reading while the writer appends returns each line once', async () => {
    const { file, writer } = newLog();
    const seen: string[] = [];
    let offset = 0;
    for (let i = 0; i < 50; i++) {
      writer.push(Buffer.from(`l${i}-a `));
      let page = await readLogPage(file, offset, 3);
      seen.push(...page.events.map((e) => e.message.replace(/\n$/, "")));
      offset = page.nextOffset;
      writer.push(Buffer.from(`l${i}-b\n`));
      page = await readLogPage(file, offset, 3);
      seen.push(...page.events.map((e) => e.message.replace(/\n$/, "")));
      offset = page.nextOffset;
    }
    writer.end();
    for (;;) {
      const page = await readLogPage(file, offset, 3);
      seen.push(...page.events.map((e) => e.message.replace(/\n$/, "")));
      offset = page.nextOffset;
      if (page.atEnd) break;
    }
    assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => `l${i}-a l${i}-b`));
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

  it('masks credential values wherever they appear, also in lines split across chunks', async () => {
    const file = path.join(tmp, `log${n++}.txt`);
    writeFileSync(file, '');
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----';
    const writer = new LogWriter((data) => appendFileSync(file, data), ['ghp_secret123', key]);
    for (const c of ['token ghp_sec', 'ret123 and ghp_secret123 twice\n', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n', 'clean\n']) writer.push(Buffer.from(c));
    writer.end();
    const { events } = await readLogPage(file, 0, 100);
    assert.deepEqual(events.map((e) => e.message.replace(/\n$/, "")), ['token *** and *** twice', '***', 'clean']);
  });

  it('tracks the last executor line (`mycli: …`)', () => {
    const { writer } = newLog();
    assert.equal(writer.lastExecutorLine, undefined);
    writer.push(Buffer.from('mycli: cloning https://github.com/org/repo.git\nuser output\n'));
    assert.equal(writer.lastExecutorLine, 'cloning https://github.com/org/repo.git');
    writer.push(Buffer.from('mycli:no space\n  mycli: indented\nmy cli: x\n'));
    assert.equal(writer.lastExecutorLine, 'cloning https://github.com/org/repo.git', 'only lines that start with "mycli: " count');
    writer.push(Buffer.from('myc'));
    writer.push(Buffer.from('li: clone failed: exit 128'));
    assert.equal(writer.lastExecutorLine, 'cloning https://github.com/org/repo.git', 'not before the line is complete');
    writer.end();
    assert.equal(writer.lastExecutorLine, 'clone failed: exit 128');
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

// The client's one way from log events to bytes: exact for every stream and encoding, and
// still right for events from backends that predate the `stream` field.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eventBytes, eventData, eventStream, eventText, groupByDestination } from '../../src/client/logEvents';

describe('log events to bytes', () => {
  it('returns a UTF-8 chunk as written, with no newline added or removed', () => {
    assert.equal(eventBytes({ timestamp: 1, stream: 'stdout', message: 'no newline' }).toString(), 'no newline');
    assert.equal(eventBytes({ timestamp: 1, stream: 'stderr', message: 'a\r\nb\rc\n' }).toString(), 'a\r\nb\rc\n');
    assert.equal(eventBytes({ timestamp: 1, stream: 'stdout', message: 'héllo ✓\n' }).toString('hex'), Buffer.from('héllo ✓\n').toString('hex'));
  });

  it('decodes a base64 chunk to its exact bytes', () => {
    const bytes = randomBytes(4096);
    const e = { timestamp: 1, stream: 'stdout' as const, message: bytes.toString('base64'), encoding: 'base64' as const };
    assert.ok(eventBytes(e).equals(bytes));
  });

  it('reads the stream of an event, and of an older event from its "mycli: " prefix', () => {
    assert.equal(eventStream({ timestamp: 1, stream: 'stderr', message: 'mycli: looks like ours' }), 'stderr');
    assert.equal(eventStream({ timestamp: 1, message: 'mycli: cloning' }), 'mycli');
    assert.equal(eventStream({ timestamp: 1, message: 'plain' }), 'stdout');
  });

  it('gives an older event (a line without its newline) its newline back', () => {
    assert.equal(eventBytes({ timestamp: 1, message: 'line' }).toString(), 'line\n');
    assert.equal(eventText({ timestamp: 1, message: 'line' }), 'line\n');
  });

  it('groups consecutive events by destination, keeping their order', () => {
    const groups = groupByDestination([
      { timestamp: 1, stream: 'stdout', message: 'a' },
      { timestamp: 2, stream: 'stdout', message: 'b\n' },
      { timestamp: 3, stream: 'mycli', message: 'mycli: x\n' },
      { timestamp: 4, stream: 'stderr', message: 'err' },
      { timestamp: 5, stream: 'stdout', message: 'c' },
    ]);
    assert.deepEqual(
      groups.map((g) => [g.toStderr, Buffer.concat(g.parts.map((d) => Buffer.from(d))).toString()]),
      [[false, 'ab\n'], [true, 'mycli: x\nerr'], [false, 'c']],
    );
    assert.deepEqual(groupByDestination([]), []);
  });

  it('gives a stream the exact bytes of the event: UTF-8 text as it is, base64 decoded, an older line with its newline', () => {
    const cases = [
      [{ timestamp: 1, stream: 'stdout', message: 'h\u00e9llo \u{1F600}\n' }, Buffer.from('68c3a96c6c6f20f09f98800a', 'hex')],
      [{ timestamp: 2, stream: 'stderr', message: Buffer.from([0xff, 0x00, 0xc3]).toString('base64'), encoding: 'base64' }, Buffer.from([0xff, 0x00, 0xc3])],
      [{ timestamp: 3, message: 'older' }, Buffer.from('older\n')],
    ] as const;
    for (const [e, bytes] of cases) {
      assert.deepEqual(Buffer.from(eventData(e)), bytes);
      assert.deepEqual(eventBytes(e), bytes);
    }
    assert.equal(typeof eventData(cases[0][0]), 'string', 'UTF-8 text is handed over as it is');
  });
});

// jsonCopy gives what a JSON round trip gives, for the values the API carries and the odd ones.
import * as assert from 'node:assert/strict';
import { jsonCopy } from '../../src/client/jsonCopy';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

describe('jsonCopy', () => {
  const cases: [string, unknown][] = [
    ['a logs page', { execution_id: 'exec-1', events: [{ timestamp: 1, stream: 'stdout', message: 'a\n"b"\\\u2028\u0000' }, { timestamp: 2, stream: 'stderr', message: 'AAEC', encoding: 'base64' }], next_token: 'MTA', complete: false, waited: undefined }],
    ['undefined, functions and symbols in objects are dropped, in arrays become null', { a: undefined, f: () => 1, s: Symbol('x'), list: [undefined, () => 1, Symbol('y'), 1] }],
    ['numbers that JSON cannot hold become null', [NaN, Infinity, -Infinity, -0, 1.5]],
    ['what has toJSON: dates and buffers', { at: new Date(0), bytes: Buffer.from('hi'), nested: [{ at: new Date(1) }] }],
    ['maps, sets and class instances as JSON sees them', { m: new Map([[1, 2]]), set: new Set([1]), o: new (class { x = 1; get y() { return 2; } })() }],
    ['plain values', [null, true, false, 0, '', 'text']],
  ];
  for (const [name, value] of cases) {
    it(name, () => assert.deepEqual(jsonCopy(value), roundTrip(value)));
  }

  it('shares nothing mutable with what it copied', () => {
    const value = { events: [{ message: 'x' }] };
    const copy = jsonCopy(value) as typeof value;
    copy.events[0]!.message = 'changed';
    copy.events.push({ message: 'more' });
    assert.deepEqual(value, { events: [{ message: 'x' }] });
  });
});

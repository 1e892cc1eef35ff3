import { strict as assert } from 'node:assert';
import type { LogEvent } from '../../../src/shared/contract';
import { cleanLine, LogRenderer } from '../../../src/extension/logs/logRenderer';

const ev = (stream: LogEvent['stream'], message: string): LogEvent => ({ timestamp: 0, stream, message });

describe('extension: log rendering for Output channels', () => {
  it('strips ANSI escapes and keeps what a carriage-return progress line drew last', () => {
    assert.equal(cleanLine('\u001b[32mok\u001b[0m done'), 'ok done');
    assert.equal(cleanLine('10%\r50%\r100%'), '100%');
    assert.equal(cleanLine('windows line\r'), 'windows line');
  });

  it('joins chunks into whole lines per stream and marks stderr', () => {
    const r = new LogRenderer(1000);
    assert.deepEqual(r.push([ev('stdout', 'hel'), ev('stderr', 'warn'), ev('stdout', 'lo\nwor')]), { append: 'hello\n' });
    assert.deepEqual(r.push([ev('stderr', 'ing\n'), ev('mycli', 'mycli: cloning\n'), ev('stdout', 'ld')]), { append: '[stderr] warning\nmycli: cloning\n' });
    assert.deepEqual(r.finish(), { append: 'world\n' });
    assert.equal(r.text(), 'hello\n[stderr] warning\nmycli: cloning\nworld\n');
  });

  it('shows binary (base64) chunks as text and understands events without a stream', () => {
    const r = new LogRenderer(1000);
    const step = r.push([{ timestamp: 0, stream: 'stdout', message: Buffer.from('caf\xe9\n', 'latin1').toString('base64'), encoding: 'base64' }, { timestamp: 0, message: 'old line' } as never]);
    assert.equal(step.append, 'caf\ufffd\nold line\n');
  });

  it('keeps at most the cap of lines, saying how many were dropped', () => {
    const r = new LogRenderer(100, '; all of it: mycli logs X');
    let last = {};
    for (let i = 0; i < 111; i++) last = r.push([ev('stdout', `line ${i}\n`)]);
    assert.ok('replace' in last, 'the channel text is replaced once the cap is passed by a tenth');
    const text = r.text();
    assert.equal(text.split('\n').filter(Boolean).length, 101);
    assert.ok(text.startsWith('… 11 earlier line(s) not shown (the cap is 100 lines; all of it: mycli logs X)\nline 11\n'), text.slice(0, 120));
    assert.doesNotMatch(text, /line 10\n/);
    assert.equal(r.droppedLines, 11);
  });
});

import { strict as assert } from 'node:assert';
import type { ExecutionInfo } from '../../src/shared/contract';
import { exitCodeOf } from '../../src/cli/exitCodes';

const info = (status: ExecutionInfo['status'], exit_code: number | null): ExecutionInfo =>
  ({ status, exit_code } as ExecutionInfo);

describe('exitCodeOf', () => {
  it('a FAILED run exits with the command\'s code when it failed', () => {
    assert.equal(exitCodeOf(info('FAILED', 2)), 2);
    assert.equal(exitCodeOf(info('FAILED', 79)), 79);
  });

  it('a FAILED run never exits 0: without a code, or when the command exited 0 but its output was lost', () => {
    // the numbers the README and `mycli exec --help` document, not the table they come from
    assert.equal(exitCodeOf(info('FAILED', null)), 3);
    assert.equal(exitCodeOf(info('FAILED', 0)), 3);
  });

  it('the other ends', () => {
    assert.equal(exitCodeOf(info('SUCCEEDED', 0)), 0);
    assert.equal(exitCodeOf(info('TIMED_OUT', 124)), 124);
    assert.equal(exitCodeOf(info('STOPPED', null)), 143);
  });
});

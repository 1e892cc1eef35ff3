// Execution statuses and the explicit transition table.
import * as assert from 'node:assert/strict';
import { canTransition, ExecutionStatus, isStatus, isTerminal, STATUSES, TERMINAL_STATUSES } from '../../src/shared/status';

describe('status', () => {
  it('has the seven statuses of the contract, four of them terminal', () => {
    assert.deepEqual([...STATUSES], ['PENDING', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT']);
    assert.deepEqual([...TERMINAL_STATUSES].sort(), ['FAILED', 'STOPPED', 'SUCCEEDED', 'TIMED_OUT']);
    for (const s of STATUSES) assert.equal(isTerminal(s), TERMINAL_STATUSES.has(s), s);
  });

  // rows: from; columns in STATUSES order: P S R SUC F STOP TO
  const table: Record<ExecutionStatus, string> = {
    PENDING: '1101111',
    STARTING: '0111111',
    RUNNING: '0011111',
    SUCCEEDED: '0001000',
    FAILED: '0000100',
    STOPPED: '0000010',
    TIMED_OUT: '0000001',
  };
  for (const from of STATUSES) {
    for (const [i, to] of STATUSES.entries()) {
      const allowed = table[from][i] === '1';
      it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => assert.equal(canTransition(from, to), allowed));
    }
  }

  it('never leaves a terminal status for another one', () => {
    for (const from of TERMINAL_STATUSES) for (const to of STATUSES) if (to !== from) assert.equal(canTransition(from, to), false, `${from} → ${to}`);
  });

  it('isStatus accepts exactly the statuses', () => {
    for (const s of STATUSES) assert.equal(isStatus(s), true);
    for (const v of ['running', 'DONE', '', null, undefined, 3, {}]) assert.equal(isStatus(v), false, String(v));
  });
});

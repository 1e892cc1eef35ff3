import { strict as assert } from 'node:assert';
import { endMessage, failureText, runningText } from '../../../src/extension/statusText';
import { info } from './executionModel.test';

describe('extension: status bar and end messages', () => {
  it('shows the number running with a spinner, and nothing when idle', () => {
    assert.equal(runningText(2), '$(sync~spin) mycli: 2 running');
    assert.equal(runningText(0), undefined);
  });

  it('names a failure with its exit code, a timeout and a stop', () => {
    assert.equal(failureText(info({ status: 'FAILED', exit_code: 3, command: 'make' })), '$(error) mycli: make failed (exit 3)');
    assert.equal(failureText(info({ status: 'TIMED_OUT', exit_code: 124, command: 'make' })), '$(error) mycli: make timed out');
    assert.equal(failureText(info({ status: 'STOPPED', exit_code: null, command: 'make' })), '$(error) mycli: make stopped');
  });

  it('reports how a run ended, with the reason when it did not succeed', () => {
    assert.equal(endMessage(info({})), 'mycli: "make test" succeeded with exit code 0');
    assert.equal(
      endMessage(info({ status: 'FAILED', exit_code: 79, stopped_reason: 'clone failed' })),
      'mycli: "make test" failed with exit code 79: clone failed',
    );
  });
});

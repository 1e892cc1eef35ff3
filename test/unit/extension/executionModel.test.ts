import { strict as assert } from 'node:assert';
import type { ExecutionInfo } from '../../../src/shared/contract';
import { accessibilityLabel, commandLabel, contextValue, describeExecution, formatDuration, repoName, sortExecutions, statusIcon, tooltipLines } from '../../../src/extension/treeViews/executionModel';

export function info(over: Partial<ExecutionInfo>): ExecutionInfo {
  return {
    execution_id: 'exec-1', status: 'SUCCEEDED', exit_code: 0, created_at: '2026-01-01T10:00:00.000Z', started_at: '2026-01-01T10:00:01.000Z',
    stopped_at: '2026-01-01T10:00:13.000Z', stopped_reason: null, repo: 'https://github.com/org/infra.git', branch: 'main', command: 'make test',
    image: null, timeout_seconds: 3600, workdir: null, backend: 'local', ...over,
  };
}

describe('extension: execution model (tree items)', () => {
  it('puts running and waiting runs on top, then newest first', () => {
    const list = [
      info({ execution_id: 'old-done', created_at: '2026-01-01T09:00:00Z' }),
      info({ execution_id: 'new-done', created_at: '2026-01-01T12:00:00Z' }),
      info({ execution_id: 'old-running', status: 'RUNNING', exit_code: null, stopped_at: null, created_at: '2026-01-01T08:00:00Z' }),
      info({ execution_id: 'pending', status: 'PENDING', exit_code: null, stopped_at: null, created_at: '2026-01-01T11:00:00Z' }),
    ];
    assert.deepEqual(sortExecutions(list).map((e) => e.execution_id), ['pending', 'old-running', 'new-done', 'old-done']);
  });

  it('gives each status a themed icon, spinning while it runs', () => {
    assert.deepEqual(statusIcon('RUNNING'), { id: 'sync~spin', color: 'charts.blue' });
    assert.deepEqual(statusIcon('SUCCEEDED'), { id: 'pass', color: 'testing.iconPassed' });
    assert.deepEqual(statusIcon('FAILED'), { id: 'error', color: 'testing.iconFailed' });
    assert.equal(statusIcon('STOPPED').id, 'circle-slash');
    assert.equal(statusIcon('TIMED_OUT').id, 'watch');
  });

  it('describes the branch and duration, and the tooltip says command, image, exit code and reason', () => {
    const failed = info({ status: 'FAILED', exit_code: 2, stopped_reason: 'the command exited with 2', image: 'python:3.12' });
    assert.equal(describeExecution(failed, Date.now()), 'org/infra@main · 12s');
    const running = info({ status: 'RUNNING', exit_code: null, stopped_at: null });
    assert.equal(describeExecution(running, Date.parse('2026-01-01T10:02:06Z')), 'org/infra@main · 2m 5s');
    const tip = tooltipLines(failed).join('\n');
    assert.match(tip, /Command: make test/);
    assert.match(tip, /Status: FAILED \(exit 2\)/);
    assert.match(tip, /Image: python:3\.12/);
    assert.match(tip, /Reason: the command exited with 2/);
  });

  it('marks what the menus offer with contextValue tokens', () => {
    assert.match(contextValue(info({ status: 'RUNNING' })), /\bstoppable\b/);
    assert.doesNotMatch(contextValue(info({ status: 'SUCCEEDED' })), /\bstoppable\b/);
    assert.match(contextValue(info({ status: 'FAILED' })), /\brerunnable\b/);
    assert.match(contextValue(info({})), /\blogs\b/);
    assert.equal(accessibilityLabel(info({ status: 'FAILED', exit_code: 3 })), 'make test FAILED exit 3');
  });

  it('shortens labels, names repos and formats durations', () => {
    assert.equal(commandLabel('a'.repeat(80), 10), `${'a'.repeat(9)}…`);
    assert.equal(commandLabel('make\nmake install'), 'make …');
    assert.equal(repoName('git@github.com:org/app.git'), 'org/app');
    assert.equal(repoName('/home/me/src/app'), 'src/app');
    assert.equal(formatDuration(3_725_000), '1h 2m');
  });
});

// routeApiRequest with the real Orchestrator: HTTP statuses, auth, error bodies and limits.
// The Platform underneath is an in-memory fake: the router and the orchestrator are under test.
import * as assert from 'node:assert/strict';
import { Orchestrator } from '../../src/backend/orchestrator';
import type { Platform } from '../../src/backend/platform';
import { ApiRequest, ApiResponse, lowerCaseHeaders, routeApiRequest } from '../../src/backend/router';
import {
  ExecRequest, ExecResponse, ExecutionInfo, KillResponse, LIMITS, ListRequest, LogsRequest, LogsResponse,
} from '../../src/shared/contract';
import { MycliError } from '../../src/shared/errors';
import type { ExecutionStatus } from '../../src/shared/status';

/** Executions kept in memory; a started one stays RUNNING until stopped. */
class MemoryPlatform implements Platform {
  readonly name = 'aws' as const;
  readonly policy = { allowLocalRepos: false };
  readonly executions = new Map<string, ExecutionInfo>();

  async start(executionId: string, request: ExecRequest): Promise<ExecResponse> {
    const now = new Date().toISOString();
    this.executions.set(executionId, {
      execution_id: executionId,
      status: 'RUNNING',
      exit_code: null,
      created_at: now,
      started_at: now,
      stopped_at: null,
      stopped_reason: null,
      repo: request.repo,
      branch: request.branch ?? null,
      command: request.command,
      image: request.image ?? null,
      timeout_seconds: request.timeout_seconds ?? LIMITS.timeoutDefault,
      workdir: request.workdir ?? null,
      backend: this.name,
    });
    return { execution_id: executionId, status: 'RUNNING', created_at: now };
  }

  async status(executionId: string): Promise<ExecutionInfo> {
    const info = this.executions.get(executionId);
    if (!info) throw new MycliError('not_found', `no execution "${executionId}"`, 'execution_id');
    return { ...info };
  }

  async logs(request: LogsRequest): Promise<LogsResponse> {
    await this.status(request.execution_id);
    return { execution_id: request.execution_id, events: [], next_token: request.next_token ?? 'o0', complete: false };
  }

  async list(request: ListRequest): Promise<ExecutionInfo[]> {
    return [...this.executions.values()].filter((e) => !request.status || e.status === request.status).reverse().slice(0, request.limit);
  }

  async stop(executionId: string): Promise<KillResponse> {
    const info = this.executions.get(executionId)!;
    info.status = 'STOPPED';
    return { execution_id: executionId, status: 'STOPPED' };
  }

  /** Puts an execution in a given state directly (what the real platform learns from its runtime). */
  put(id: string, status: ExecutionStatus): void {
    const now = new Date().toISOString();
    this.executions.set(id, {
      execution_id: id, status, exit_code: status === 'SUCCEEDED' ? 0 : null, created_at: now, started_at: now, stopped_at: now,
      stopped_reason: null, repo: 'https://github.com/org/repo.git', branch: 'main', command: 'true', image: null,
      timeout_seconds: 60, workdir: null, backend: this.name,
    });
  }
}

const KEY = 'test-api-key-0123456789';

describe('routeApiRequest', () => {
  let platform: MemoryPlatform;
  let orchestrator: Orchestrator;

  beforeEach(() => {
    platform = new MemoryPlatform();
    orchestrator = new Orchestrator(platform);
  });

  function request(body: unknown, over: Partial<ApiRequest> = {}): Promise<ApiResponse> {
    return routeApiRequest(
      {
        method: 'POST',
        path: '/execute',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...over,
      },
      orchestrator,
      KEY,
    );
  }

  /** Asserts the response is an error of the contract's shape and returns its error object. */
  function errorOf(res: ApiResponse, status: number, code: string): { code: string; message: string; field?: string } {
    assert.equal(res.statusCode, status, `status of ${res.body}`);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    const body = JSON.parse(res.body) as { error: { code: string; message: string; field?: string } };
    assert.deepEqual(Object.keys(body), ['error']);
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0);
    for (const k of Object.keys(body.error)) assert.ok(['code', 'message', 'field'].includes(k), `unexpected key ${k}`);
    return body.error;
  }

  const execBody = { action: 'exec', repo: 'https://github.com/org/repo.git', command: 'make test' };

  describe('auth', () => {
    it('401 without a key', async () => {
      const err = errorOf(await request({ action: 'list' }, { headers: {} }), 401, 'unauthorized');
      assert.match(err.message, /Authorization: Bearer/);
    });
    it('401 with a wrong Bearer key', async () => {
      errorOf(await request({ action: 'list' }, { headers: { authorization: `Bearer ${KEY}x` } }), 401, 'unauthorized');
    });
    it('401 with a wrong x-api-key', async () => {
      errorOf(await request({ action: 'list' }, { headers: { 'x-api-key': 'nope' } }), 401, 'unauthorized');
    });
    it('401 with the key sent as Basic auth or without the Bearer prefix', async () => {
      errorOf(await request({ action: 'list' }, { headers: { authorization: `Basic ${KEY}` } }), 401, 'unauthorized');
      errorOf(await request({ action: 'list' }, { headers: { authorization: KEY } }), 401, 'unauthorized');
    });
    it('401 with an empty Bearer key', async () => {
      errorOf(await request({ action: 'list' }, { headers: { authorization: 'Bearer ' } }), 401, 'unauthorized');
    });
    it('accepts the key as Bearer (any case of the scheme) and as x-api-key', async () => {
      for (const headers of [{ authorization: `Bearer ${KEY}` }, { authorization: `bearer   ${KEY}` }, { 'x-api-key': KEY }]) {
        const res = await request({ action: 'list' }, { headers });
        assert.equal(res.statusCode, 200, JSON.stringify(headers));
      }
    });
    it('accepts headers as a Node server gives them after lowerCaseHeaders', async () => {
      const headers = lowerCaseHeaders({ Authorization: `Bearer ${KEY}`, 'X-Other': ['a', 'b'] });
      assert.equal((await request({ action: 'list' }, { headers })).statusCode, 200);
    });
    it('checks the key before looking at the body', async () => {
      errorOf(await request('{not json', { headers: {} }), 401, 'unauthorized');
      errorOf(await request('x'.repeat(LIMITS.bodyBytes + 1), { headers: {} }), 401, 'unauthorized');
    });
  });

  describe('paths and methods', () => {
    for (const path of ['/', '/exec', '/execute/more', '/prod/run', '/executex']) {
      it(`404 for ${path}`, async () => errorOf(await request({ action: 'list' }, { path }), 404, 'not_found'));
    }
    for (const path of ['/execute', '/execute/', '/prod/execute', '/prod/execute?x=1', '/v1/prod/execute/']) {
      it(`accepts ${path}`, async () => assert.equal((await request({ action: 'list' }, { path })).statusCode, 200));
    }
    for (const method of ['GET', 'PUT', 'DELETE']) {
      it(`405 for ${method}`, async () => errorOf(await request({ action: 'list' }, { method }), 405, 'invalid_request'));
    }
    it('accepts a lower-case post', async () => assert.equal((await request({ action: 'list' }, { method: 'post' })).statusCode, 200));
  });

  describe('bodies', () => {
    it('400 for invalid JSON', async () => {
      const err = errorOf(await request('{"action": "list"'), 400, 'invalid_request');
      assert.match(err.message, /not valid JSON/);
    });
    it('400 for an empty body', async () => errorOf(await request(''), 400, 'invalid_request'));
    it('400 for a body that is not an object', async () => errorOf(await request('[1,2]'), 400, 'invalid_request'));
    it('400 for an unknown action, with field "action"', async () => {
      const err = errorOf(await request({ action: 'destroy' }), 400, 'invalid_request');
      assert.equal(err.field, 'action');
      assert.match(err.message, /"action" must be one of exec, status, logs, list, kill/);
    });
    it('400 with the field for an invalid exec request', async () => {
      assert.deepEqual(errorOf(await request({ ...execBody, branch: 'feat;rm' }), 400, 'invalid_request').field, 'branch');
      assert.deepEqual(errorOf(await request({ ...execBody, timeout_seconds: 0 }), 400, 'invalid_request').field, 'timeout_seconds');
      assert.deepEqual(errorOf(await request({ ...execBody, repo: '/srv/local.git' }), 400, 'invalid_request').field, 'repo');
    });
    it('413 for a body over the limit; the limit itself is accepted', async () => {
      const pad = (n: number) => JSON.stringify({ action: 'list', pad: 'x'.repeat(n) });
      const base = pad(0).length;
      errorOf(await request(pad(LIMITS.bodyBytes - base + 1)), 413, 'payload_too_large');
      assert.equal((await request(pad(LIMITS.bodyBytes - base))).statusCode, 200);
    });
    it('413 counts bytes, not characters', async () => {
      const body = JSON.stringify({ action: 'list', pad: 'é'.repeat(LIMITS.bodyBytes / 2) });
      assert.ok(body.length < LIMITS.bodyBytes);
      errorOf(await request(body), 413, 'payload_too_large');
    });
  });

  describe('actions', () => {
    it('exec then status: 200 with the execution', async () => {
      const res = await request(execBody);
      assert.equal(res.statusCode, 200);
      const started = JSON.parse(res.body) as ExecResponse;
      assert.match(started.execution_id, /^exec-\d{8}-\d{6}-[0-9a-f]{6}$/);
      assert.equal(started.status, 'RUNNING');

      const st = await request({ action: 'status', execution_id: started.execution_id });
      assert.equal(st.statusCode, 200);
      const info = JSON.parse(st.body) as ExecutionInfo;
      assert.equal(info.execution_id, started.execution_id);
      assert.equal(info.repo, execBody.repo);
      assert.equal(info.command, execBody.command);
      assert.equal(info.timeout_seconds, 3600);
    });
    it('404 with field execution_id for an unknown execution', async () => {
      assert.equal(errorOf(await request({ action: 'status', execution_id: 'nope' }), 404, 'not_found').field, 'execution_id');
    });
    it('400 for a status call without execution_id', async () => {
      assert.equal(errorOf(await request({ action: 'status' }), 400, 'invalid_request').field, 'execution_id');
    });
    it('list: 200 with the platform\'s executions in the platform\'s order (newest first is each platform\'s to keep)', async () => {
      const a = JSON.parse((await request(execBody)).body) as ExecResponse;
      const b = JSON.parse((await request(execBody)).body) as ExecResponse;
      const res = await request({ action: 'list' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual((JSON.parse(res.body) as { executions: ExecutionInfo[] }).executions.map((e) => e.execution_id), [b.execution_id, a.execution_id]);
    });
    it('logs: 200, and 400 with field limit for a bad limit', async () => {
      const a = JSON.parse((await request(execBody)).body) as ExecResponse;
      assert.equal((await request({ action: 'logs', execution_id: a.execution_id })).statusCode, 200);
      assert.equal(errorOf(await request({ action: 'logs', execution_id: a.execution_id, limit: 0 }), 400, 'invalid_request').field, 'limit');
      assert.equal(errorOf(await request({ action: 'logs', execution_id: a.execution_id, wait_ms: 20001 }), 400, 'invalid_request').field, 'wait_ms');
      // a platform that cannot watch its logs answers a long poll at once, without "waited"
      const res = await request({ action: 'logs', execution_id: a.execution_id, wait_ms: 5000 });
      assert.equal(res.statusCode, 200);
      assert.equal((JSON.parse(res.body) as { waited?: boolean }).waited, undefined);
    });
    it('kill of a running execution: 200 STOPPED', async () => {
      const a = JSON.parse((await request(execBody)).body) as ExecResponse;
      const res = await request({ action: 'kill', execution_id: a.execution_id });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(JSON.parse(res.body), { execution_id: a.execution_id, status: 'STOPPED' });
    });
    for (const status of ['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'] as const) {
      it(`kill of a ${status} execution: 409`, async () => {
        platform.put('exec-done', status);
        const err = errorOf(await request({ action: 'kill', execution_id: 'exec-done' }), 409, 'conflict');
        assert.equal(err.field, 'execution_id');
        assert.match(err.message, new RegExp(`already ended \\(${status}\\)`));
        assert.equal(platform.executions.get('exec-done')!.status, status, 'the execution is unchanged');
      });
    }
    it('kill of an unknown execution: 404', async () => {
      errorOf(await request({ action: 'kill', execution_id: 'exec-none' }), 404, 'not_found');
    });
  });

  it('429 with Retry-After when a cloud service throttles the backend (an AWS SDK throttling error), so the client tries again', async () => {
    platform.status = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });
    };
    const res = await request({ action: 'status', execution_id: 'x' });
    const err = errorOf(res, 429, 'rate_limited');
    assert.match(err.message, /rate-limited by its cloud services \(ThrottlingException\)/);
    assert.equal(res.headers['retry-after'], '2');
  });

  it('500 with a backend_error body when the platform fails unexpectedly', async () => {
    platform.status = async () => {
      throw new Error('disk on fire');
    };
    const err = errorOf(await request({ action: 'status', execution_id: 'x' }), 500, 'backend_error');
    assert.match(err.message, /disk on fire/);
  });
});

// The API contract's validation: what each action accepts, the limits, and the errors
// (a MycliError with code invalid_request, HTTP 400 and the offending field).
import * as assert from 'node:assert/strict';
import {
  errorFromBody, isErrorBody, LIMITS, parseAction, validateExecRequest, validateExecutionId, validateListRequest, validateLogsRequest,
} from '../../src/shared/contract';
import { MycliError } from '../../src/shared/errors';

const REMOTE = { allowLocalRepos: false };
const LOCAL = { allowLocalRepos: true };
const REPO = 'https://github.com/org/repo.git';

/** Runs fn, asserts it throws an invalid_request MycliError for `field`, and returns the message. */
function invalidError(fn: () => unknown, field: string | undefined, message?: RegExp): string {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof MycliError, `throws a MycliError, got ${String(thrown)}`);
  assert.equal(thrown.code, 'invalid_request');
  assert.equal(thrown.httpStatus, 400);
  assert.equal(thrown.field, field);
  if (message) assert.match(thrown.message, message);
  assert.deepEqual(thrown.toBody(), { error: { code: 'invalid_request', message: thrown.message, ...(field ? { field } : {}) } });
  return thrown.message;
}

const exec = (extra: Record<string, unknown>, policy = REMOTE) => validateExecRequest({ repo: REPO, command: 'make test', ...extra }, policy);

describe('validateExecRequest', () => {
  it('accepts a minimal request and fills in the default timeout', () => {
    assert.deepEqual(validateExecRequest({ repo: REPO, command: 'make test' }, REMOTE), {
      repo: REPO,
      command: 'make test',
      timeout_seconds: 3600,
    });
    assert.equal(LIMITS.timeoutDefault, 3600);
  });

  it('accepts a full request and returns exactly its fields', () => {
    const req = exec({
      branch: 'feature/x',
      image: 'public.ecr.aws/org/image:1.2',
      env: { FOO: 'bar', _X1: '' },
      timeout_seconds: 43200,
      workdir: 'sub/dir/',
    });
    assert.deepEqual(req, {
      repo: REPO,
      command: 'make test',
      branch: 'feature/x',
      image: 'public.ecr.aws/org/image:1.2',
      env: { FOO: 'bar', _X1: '' },
      timeout_seconds: 43200,
      workdir: 'sub/dir',
    });
  });

  it('passes a command with quotes, $(…), backticks and newlines through unchanged', () => {
    const command = `echo "it's $(date)" && \`true\`\nfor i in 1 2; do echo '$i'; done\n`;
    assert.equal(exec({ command }).command, command);
  });

  it('ignores an empty branch and image, and null optional fields', () => {
    assert.deepEqual(exec({ branch: '', image: '', env: null, timeout_seconds: null, workdir: null }), {
      repo: REPO, command: 'make test', timeout_seconds: 3600,
    });
  });

  describe('repo', () => {
    it('is required', () => {
      invalidError(() => validateExecRequest({ command: 'x' }, REMOTE), 'repo', /"repo" is required/);
      invalidError(() => validateExecRequest({ repo: '  ', command: 'x' }, REMOTE), 'repo', /"repo" is required/);
    });
    it('must be a string', () => invalidError(() => exec({ repo: 42 }), 'repo', /"repo" must be a string/));
    it('refuses an ext:: URL and a URL with a password', () => {
      invalidError(() => exec({ repo: 'ext::sh -c id' }), 'repo', /transport::address/);
      invalidError(() => exec({ repo: 'https://u:tok@github.com/org/repo.git' }), 'repo', /password or token/);
    });
    it('does not echo a password from the repo URL in its error message', () => {
      const msg = invalidError(() => exec({ repo: 'https://u:s3cr3t-tok@github.com/org/repo.git' }), 'repo', /password or token/);
      assert.ok(!msg.includes('s3cr3t-tok'), `message leaks the token: ${msg}`);
    });
    it('accepts https, ssh and scp-like URLs on any backend', () => {
      for (const repo of [REPO, 'ssh://git@github.com/org/repo.git', 'git@github.com:org/repo.git']) {
        assert.equal(exec({ repo }).repo, repo);
      }
    });
    for (const repo of ['/srv/repo.git', './repo', 'file:///srv/repo.git', 'http://127.0.0.1/r.git', 'git://127.0.0.1/r.git']) {
      it(`refuses the local-only ${repo} when allowLocalRepos=false, saying to use https/ssh`, () => {
        invalidError(() => exec({ repo }, REMOTE), 'repo', /only the local backend can clone; use an https:\/\/ or ssh URL/);
      });
      it(`accepts the local-only ${repo} when allowLocalRepos=true`, () => {
        assert.equal(exec({ repo }, LOCAL).repo, repo);
      });
    }
  });

  describe('command', () => {
    it('is required', () => invalidError(() => validateExecRequest({ repo: REPO }, REMOTE), 'command', /"command" is required/));
    it('must be a string', () => invalidError(() => exec({ command: ['ls'] }), 'command', /"command" must be a string/));
    for (const command of ['', '   ', '\n\t']) {
      it(`refuses the empty/whitespace command ${JSON.stringify(command)}`, () => invalidError(() => exec({ command }), 'command', /"command" is empty/));
    }
    it('accepts exactly 4096 bytes and refuses 4097', () => {
      assert.equal(LIMITS.commandBytes, 4096);
      assert.equal(exec({ command: 'x'.repeat(4096) }).command.length, 4096);
      invalidError(() => exec({ command: 'x'.repeat(4097) }), 'command', /4097 bytes; at most 4096/);
    });
    it('counts bytes, not characters', () => {
      invalidError(() => exec({ command: 'é'.repeat(2049) }), 'command', /4098 bytes/);
    });
    it('refuses a NUL character', () => invalidError(() => exec({ command: 'echo a\0b' }), 'command', /NUL/));
  });

  describe('timeout_seconds', () => {
    for (const t of [1, 60, 43200]) it(`accepts ${t}`, () => assert.equal(exec({ timeout_seconds: t }).timeout_seconds, t));
    for (const t of [0, -1, 43201, 1.5, '60', true, Number.NaN, Infinity]) {
      it(`refuses ${JSON.stringify(t) ?? String(t)}`, () => {
        invalidError(() => exec({ timeout_seconds: t }), 'timeout_seconds', /"timeout_seconds" must be a whole number from 1 to 43200/);
      });
    }
  });

  describe('env', () => {
    it('accepts names of letters, digits and _', () => {
      assert.deepEqual(exec({ env: { A: '1', _b: '2', c_3: '3', TF_VAR_x: 'y' } }).env, { A: '1', _b: '2', c_3: '3', TF_VAR_x: 'y' });
    });
    for (const name of ['1A', 'A-B', 'A B', 'A.B', 'É', '', 'A=B']) {
      it(`refuses the name ${JSON.stringify(name)}`, () => invalidError(() => exec({ env: { [name]: 'v' } }), 'env', /is invalid: use letters, digits and _/));
    }
    for (const name of ['MYCLI_X', 'AWS_SECRET_ACCESS_KEY', 'ECS_CONTAINER_METADATA_URI']) {
      it(`refuses the reserved prefix of ${name}`, () => {
        const prefix = name.slice(0, name.indexOf('_') + 1);
        invalidError(() => exec({ env: { [name]: 'v' } }), 'env', new RegExp(`"${name}" is reserved: names starting with ${prefix}`));
      });
    }
    for (const name of ['GITHUB_TOKEN', 'GITLAB_TOKEN', 'SSH_PRIVATE_KEY', 'REPO_URL', 'REPO_BRANCH', 'USER_COMMAND', 'WORKDIR', 'TIMEOUT_SECONDS', 'GIT_ASKPASS', 'GIT_SSH_COMMAND']) {
      it(`refuses the reserved name ${name}`, () => invalidError(() => exec({ env: { [name]: 'v' } }), 'env', /reserved by the mycli executor/));
    }
    it('is case-sensitive about reserved names (aws_x and github_token are the user\'s own)', () => {
      assert.deepEqual(exec({ env: { aws_x: '1', github_token: '2' } }).env, { aws_x: '1', github_token: '2' });
    });
    it('must be an object', () => {
      for (const env of ['A=1', ['A'], 5]) invalidError(() => exec({ env }), 'env', /"env" must be an object/);
    });
    for (const value of [1, true, null, { x: 1 }, ['a']]) {
      it(`refuses the non-string value ${JSON.stringify(value)}`, () => invalidError(() => exec({ env: { A: value } }), 'env', /env "A" must be a string/));
    }
    it('refuses a NUL in a value', () => invalidError(() => exec({ env: { A: 'x\0y' } }), 'env', /NUL/));
    it('accepts 50 variables and refuses 51', () => {
      const env = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']));
      assert.equal(Object.keys(exec({ env: env(50) }).env!).length, 50);
      invalidError(() => exec({ env: env(51) }), 'env', /51 variables; at most 50/);
    });
    it('accepts 3072 bytes of names and values and refuses more', () => {
      // each entry counts name + value + 2 bytes
      assert.deepEqual(exec({ env: { A: 'x'.repeat(3069) } }).env, { A: 'x'.repeat(3069) });
      invalidError(() => exec({ env: { A: 'x'.repeat(3070) } }), 'env', /3073 bytes; at most 3072/);
      invalidError(() => exec({ env: { A: 'é'.repeat(1535) } }), 'env', /3073 bytes/);
    });
  });

  describe('workdir', () => {
    const ok: Array<[string, string | undefined]> = [
      ['sub', 'sub'],
      ['sub/dir/', 'sub/dir'],
      ['sub/dir///', 'sub/dir'],
      ['.', undefined],
      ['./', undefined],
      ['', undefined],
      ['a..b/c', 'a..b/c'],
    ];
    for (const [workdir, out] of ok) {
      it(`${JSON.stringify(workdir)} → ${JSON.stringify(out)}`, () => assert.equal(exec({ workdir }).workdir, out));
    }
    it('refuses an absolute path', () => invalidError(() => exec({ workdir: '/abs' }), 'workdir', /relative to the repository root, not absolute/));
    it('refuses "/" as absolute', () => invalidError(() => exec({ workdir: '/' }), 'workdir', /not absolute/));
    for (const workdir of ['../x', 'a/../b', '..', 'a/..']) {
      it(`refuses ${JSON.stringify(workdir)}`, () => invalidError(() => exec({ workdir }), 'workdir', /must stay inside the repository/));
    }
    for (const workdir of ['-x', 'a\nb', 'a\\b']) {
      it(`refuses the characters in ${JSON.stringify(workdir)}`, () => invalidError(() => exec({ workdir }), 'workdir', /characters mycli does not accept/));
    }
    it('refuses more than 256 characters', () => {
      assert.equal(exec({ workdir: 'x'.repeat(256) }).workdir, 'x'.repeat(256));
      invalidError(() => exec({ workdir: 'x'.repeat(257) }), 'workdir', /longer than 256/);
    });
    it('must be a string', () => invalidError(() => exec({ workdir: 3 }), 'workdir', /"workdir" must be a string/));
  });

  describe('branch', () => {
    it('accepts a valid name', () => assert.equal(exec({ branch: 'release/1.2' }).branch, 'release/1.2'));
    it('refuses feat;rm with a message that says what to change', () => {
      invalidError(() => exec({ branch: 'feat;rm' }), 'branch', /^branch "feat;rm" is not a valid Git branch name: it contains a shell metacharacter/);
    });
    it('refuses a..b', () => invalidError(() => exec({ branch: 'a..b' }), 'branch', /contains "\.\."/));
  });

  describe('image', () => {
    for (const image of ['python:3.12', 'ubuntu', 'public.ecr.aws/org/image:tag', '123456789012.dkr.ecr.us-east-1.amazonaws.com/x@sha256:' + 'a'.repeat(64), 'localhost:5000/a/b']) {
      it(`accepts ${image.slice(0, 50)}`, () => assert.equal(exec({ image }).image, image));
    }
    for (const image of ['-rm', 'a b', 'img;rm -rf /', '$(id)', '/abs', 'x'.repeat(256)]) {
      it(`refuses ${JSON.stringify(image.slice(0, 30))}`, () => invalidError(() => exec({ image }), 'image', /not a valid container image reference/));
    }
  });
});

describe('parseAction', () => {
  for (const action of ['exec', 'status', 'logs', 'list', 'kill']) {
    it(`accepts ${action}`, () => {
      const body = { action, execution_id: 'x' };
      assert.deepEqual(parseAction(body), { action, body });
    });
  }
  for (const body of [null, 'exec', 5, ['exec']]) {
    it(`refuses the non-object body ${JSON.stringify(body)}`, () => invalidError(() => parseAction(body), undefined, /must be a JSON object/));
  }
  for (const action of [undefined, 'run', 'EXEC', 1]) {
    it(`refuses the action ${JSON.stringify(action)}`, () => {
      invalidError(() => parseAction({ action }), 'action', /"action" must be one of exec, status, logs, list, kill/);
    });
  }
});

describe('validateExecutionId', () => {
  for (const id of ['exec-20240101-000000-abcdef', 'arn:aws:ecs:us-east-1:123456789012:task/cluster/0123abcd']) {
    it(`accepts ${id}`, () => assert.equal(validateExecutionId({ execution_id: id }), id));
  }
  it('is required', () => invalidError(() => validateExecutionId({}), 'execution_id', /"execution_id" is required/));
  for (const id of ['-x', '../etc/passwd', 'a b', 'a;b', 'x'.repeat(257)]) {
    it(`refuses ${JSON.stringify(id.slice(0, 30))}`, () => invalidError(() => validateExecutionId({ execution_id: id }), 'execution_id', /is not a valid execution id/));
  }
});

describe('validateLogsRequest', () => {
  it('defaults the limit to 1000 and omits an empty token', () => {
    assert.deepEqual(validateLogsRequest({ execution_id: 'e1', next_token: '' }), { execution_id: 'e1', limit: 1000 });
  });
  it('keeps the token and limit', () => {
    assert.deepEqual(validateLogsRequest({ execution_id: 'e1', next_token: 'o42', limit: 10000 }), { execution_id: 'e1', next_token: 'o42', limit: 10000 });
  });
  for (const limit of [0, 10001, 2.5, '10']) {
    it(`refuses the limit ${JSON.stringify(limit)}`, () => invalidError(() => validateLogsRequest({ execution_id: 'e1', limit }), 'limit', /from 1 to 10000/));
  }
  it('refuses a non-string token', () => invalidError(() => validateLogsRequest({ execution_id: 'e1', next_token: 5 }), 'next_token', /must be a string/));
  it('requires execution_id', () => invalidError(() => validateLogsRequest({ limit: 5 }), 'execution_id'));
});

describe('validateListRequest', () => {
  it('defaults the limit to 50', () => assert.deepEqual(validateListRequest({}), { limit: 50 }));
  it('keeps a status filter', () => assert.deepEqual(validateListRequest({ limit: 500, status: 'RUNNING' }), { limit: 500, status: 'RUNNING' }));
  for (const limit of [0, 501, '5']) {
    it(`refuses the limit ${JSON.stringify(limit)}`, () => invalidError(() => validateListRequest({ limit }), 'limit', /from 1 to 500/));
  }
  for (const status of ['running', 'DONE', 1]) {
    it(`refuses the status ${JSON.stringify(status)}`, () => invalidError(() => validateListRequest({ status }), 'status', /"status" must be one of PENDING, STARTING, RUNNING/));
  }
});

describe('errorFromBody', () => {
  it('rebuilds the MycliError a backend sent, with the HTTP status of the response', () => {
    const err = errorFromBody(404, { error: { code: 'not_found', message: 'no execution "x"', field: 'execution_id' } });
    assert.ok(err instanceof MycliError);
    assert.equal(err.code, 'not_found');
    assert.equal(err.message, 'no execution "x"');
    assert.equal(err.field, 'execution_id');
    assert.equal(err.httpStatus, 404);
  });
  it('round-trips what toBody() sends', () => {
    const sent = new MycliError('conflict', 'already ended', 'execution_id');
    const got = errorFromBody(sent.httpStatus, JSON.parse(JSON.stringify(sent.toBody())));
    assert.deepEqual([got.code, got.message, got.field, got.httpStatus], ['conflict', 'already ended', 'execution_id', 409]);
  });
  it('a body without an error message becomes a backend_error naming the status', () => {
    for (const body of [undefined, '<html>Bad Gateway</html>', { message: 'x' }, { error: 'x' }]) {
      assert.equal(isErrorBody(body), false);
      const err = errorFromBody(502, body);
      assert.equal(err.code, 'backend_error');
      assert.equal(err.httpStatus, 502);
      assert.match(err.message, /HTTP 502/);
    }
  });
  it('an error body without a code is a backend_error', () => {
    assert.equal(errorFromBody(500, { error: { message: 'boom' } }).code, 'backend_error');
  });
});

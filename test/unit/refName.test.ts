// branchNameProblem: the rules of `git check-ref-format --branch` plus the shell
// metacharacters mycli refuses. Names git itself rejects are cross-checked against
// the real git binary.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { branchNameProblem } from '../../src/shared/refName';

/** What the real git says about a branch name: true when it accepts it. */
function gitAccepts(name: string): boolean {
  const r = spawnSync('git', ['check-ref-format', '--branch', name], {
    cwd: '/',
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CEILING_DIRECTORIES: '/' },
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  return r.status === 0;
}

describe('branchNameProblem', () => {
  describe('valid names', () => {
    for (const name of ['main', 'feature/x', 'release-1.2', 'v1.0_rc', 'fix/JIRA-123/part.2', 'a@b', 'ünïcode', 'x'.repeat(255)]) {
      it(`accepts ${JSON.stringify(name.length > 40 ? name.slice(0, 10) + '…' : name)}`, () => {
        assert.equal(branchNameProblem(name), undefined);
        assert.equal(gitAccepts(name), true, 'git accepts it too');
      });
    }
  });

  // [name, a fragment of the expected reason, whether git itself also rejects it]
  const invalidCases: Array<[string, string | RegExp, boolean]> = [
    ['', 'is empty', true],
    ['-x', 'starts with "-"', true],
    ['a..b', '".."', true],
    ['..', '".."', true],
    ['a@{b', /"@\{"|shell metacharacter/, true], // "{" is also a shell metacharacter
    ['HEAD', 'HEAD', true],
    ['@', 'is "@"', false], // `git check-ref-format --branch @` expands @ to HEAD; refs/heads/@ is invalid
    ['a\x01b', 'control character', true],
    ['a\x7fb', 'control character', true],
    ['a\tb', 'control character', true],
    ['a\nb', 'control character', true],
    ['a b', 'space', true],
    ['a~b', '~ ^ : ? * [ \\', true],
    ['a^b', '~ ^ : ? * [ \\', true],
    ['a:b', '~ ^ : ? * [ \\', true],
    ['a?b', '~ ^ : ? * [ \\', true],
    ['a*b', '~ ^ : ? * [ \\', true],
    ['a[b', '~ ^ : ? * [ \\', true],
    ['a\\b', '~ ^ : ? * [ \\', true],
    ['a/', 'empty path component', true],
    ['/a', 'empty path component', true],
    ['a//b', 'empty path component', true],
    ['a.', 'ends with "."', true],
    ['a/b.', 'ends with "."', true],
    ['.a', 'starting with "."', true],
    ['a/.b', 'starting with "."', true],
    ['a.lock', 'ending with ".lock"', true],
    ['a.lock/b', 'ending with ".lock"', true],
    ['x'.repeat(256), 'longer than 255', false],
    // shell metacharacters: git accepts these, mycli refuses them
    ['feat;rm', 'shell metacharacter', false],
    ['$(x)', 'shell metacharacter', false],
    ['a`id`', 'shell metacharacter', false],
    ['a&b', 'shell metacharacter', false],
    ['a|b', 'shell metacharacter', false],
    ['a>b', 'shell metacharacter', false],
    ["a'b", 'shell metacharacter', false],
    ['a"b', 'shell metacharacter', false],
    ['a!b', 'shell metacharacter', false],
    ['a#b', 'shell metacharacter', false],
    ['a{b}', 'shell metacharacter', false],
  ];

  describe('invalid names', () => {
    for (const [name, reason, gitRejects] of invalidCases) {
      it(`refuses ${JSON.stringify(name.length > 40 ? name.slice(0, 10) + '…' : name)} (${reason})`, () => {
        const problem = branchNameProblem(name);
        assert.ok(problem, 'has a problem');
        if (typeof reason === 'string') assert.ok(problem.includes(reason), `reason ${JSON.stringify(problem)} mentions ${JSON.stringify(reason)}`);
        else assert.match(problem, reason);
        if (gitRejects && name !== '') assert.equal(gitAccepts(name), false, 'git rejects it too');
      });
    }
  });

  it('refuses every name in a generated set that git check-ref-format --branch refuses', function () {
    // it asks git about each name mycli accepts: a few hundred processes, slow on a busy machine
    this.timeout(120_000);
    const parts = ['a', '.', '..', '-', '/', '@', '{', '.lock', 'b', '~', ' ', '\\', 'HEAD', 'é', '_', '+', '=', ',', '%', '\x7f'];
    const names = new Set<string>(['HEAD', 'a/HEAD', '@{-1}', '-', '@@', 'a/@', '@a']);
    for (const p of parts) for (const q of parts) for (const r of ['', 'x', '/', '.']) names.add(p + q + r);
    const missed: string[] = [];
    for (const name of names) {
      if (name === '' || name === '@') continue; // both refused by mycli, see above
      if (branchNameProblem(name) === undefined && !gitAccepts(name)) missed.push(name); // git only asked about names mycli accepts
    }
    assert.deepEqual(missed, [], 'names git refuses but branchNameProblem accepts');
  });
});

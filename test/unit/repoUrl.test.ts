// classifyRepoUrl and redactRepoUrl: which repository URLs are accepted, as what, and why not.
import * as assert from 'node:assert/strict';
import { classifyRepoUrl, LOCAL_ONLY_KINDS, redactRepoUrl, REMOTE_KINDS, RepoKind } from '../../src/shared/repoUrl';

function kindOf(url: string): RepoKind {
  const r = classifyRepoUrl(url);
  assert.ok('kind' in r, `${JSON.stringify(url)} is accepted, not refused with ${JSON.stringify(r)}`);
  return r.kind;
}

function problemOf(url: string): string {
  const r = classifyRepoUrl(url);
  assert.ok('problem' in r, `${JSON.stringify(url)} is refused, not accepted as ${JSON.stringify(r)}`);
  return r.problem;
}

describe('classifyRepoUrl', () => {
  describe('kinds', () => {
    const cases: Array<[string, RepoKind]> = [
      ['https://github.com/org/repo.git', 'https'],
      ['https://github.com/org/repo', 'https'],
      ['HTTPS://GitHub.com/org/repo.git', 'https'],
      ['https://user@gitlab.example.com:8443/group/sub/repo.git', 'https'],
      ['http://127.0.0.1:8080/repo.git', 'http'],
      ['git://127.0.0.1/repo.git', 'git'],
      ['ssh://git@github.com/org/repo.git', 'ssh'],
      ['ssh://git@127.0.0.1:2222/srv/repo.git', 'ssh'],
      ['git@github.com:org/repo.git', 'scp'],
      ['github.com:org/repo.git', 'scp'],
      ['file:///srv/git/repo.git', 'file'],
      ['/srv/git/repo.git', 'path'],
      ['./repo', 'path'],
      ['../other/repo', 'path'],
      ['.', 'path'],
      ['..', 'path'],
    ];
    for (const [url, kind] of cases) {
      it(`${url} → ${kind}`, () => assert.equal(kindOf(url), kind));
    }

    it('remote kinds are https, ssh and scp; http, git, file and path are local-only', () => {
      assert.deepEqual([...REMOTE_KINDS].sort(), ['https', 'scp', 'ssh']);
      assert.deepEqual([...LOCAL_ONLY_KINDS].sort(), ['file', 'git', 'http', 'path']);
    });
  });

  describe('problems', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      [' https://github.com/org/repo.git', /leading\/trailing spaces/],
      ['https://github.com/org/repo.git ', /leading\/trailing spaces/],
      ['-uhttps://x/y', /starts with "-"/],
      ['--upload-pack=touch /tmp/pwned', /starts with "-"/],
      ['ext::sh -c touch% /tmp/pwned', /transport::address/],
      ['fd::17', /transport::address/],
      ['https://u:tok@github.com/org/repo.git', /password or token.*GITHUB_TOKEN/],
      ['ssh://git:pw@host/repo.git', /password or token/],
      ['ftp://example.com/repo.git', /unsupported scheme "ftp:\/\/"/],
      ['s3://bucket/repo', /unsupported scheme "s3:\/\/"/],
      ['https://github.com/org/re\npo', /control character/],
      ['https://github.com/org/re\x00po', /control character/],
      ['ssh:///srv/repo.git', /has no host/],
      ['git:///srv/repo.git', /has no host/],
      ['https://exa mple.com/r', /not a valid URL|not a Git URL/],
      ['not a url', /not a Git URL/],
      ['repo', /not a Git URL/],
      ['~/repo', /not a Git URL/],
      ['x'.repeat(2049), /longer than 2048/],
      ['ssh://-oProxyCommand=calc/x', /host name starting with "-"/],
      ['git@-oProxyCommand:x', /not a Git URL/],
      ['user:tok@github.com:org/repo.git', /password or token/],
    ];
    for (const [url, problem] of cases) {
      it(`refuses ${JSON.stringify(url.length > 50 ? url.slice(0, 20) + '…' : url)}`, () => assert.match(problemOf(url), problem));
    }

    it('the unsupported-scheme and not-a-URL messages say what to use instead', () => {
      assert.match(problemOf('ftp://example.com/repo.git'), /https:\/\//);
      assert.match(problemOf('garbage'), /https:\/\/host\/owner\/repo\.git/);
    });
  });
});

describe('redactRepoUrl', () => {
  const cases: Array<[string, string]> = [
    ['https://u:tok@host/r', 'https://u:***@host/r'],
    ['https://x-access-token:ghp_abc123@github.com/org/repo.git', 'https://x-access-token:***@github.com/org/repo.git'],
    ['ssh://git:pw@host:22/srv/repo.git', 'ssh://git:***@host:22/srv/repo.git'],
    ['https://:tok@host/r', 'https://:***@host/r'],
    ['https://github.com/org/repo.git', 'https://github.com/org/repo.git'],
    ['https://user@github.com/org/repo.git', 'https://user@github.com/org/repo.git'],
    ['https://host:8443/org/repo.git', 'https://host:8443/org/repo.git'],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo.git'],
    ['/srv/repo.git', '/srv/repo.git'],
  ];
  for (const [url, redacted] of cases) {
    it(`${url} → ${redacted}`, () => assert.equal(redactRepoUrl(url), redacted));
  }

  it('masks all of a password that contains a raw "@"', () => {
    const out = redactRepoUrl('https://user:p@ss@github.com/org/repo.git');
    assert.equal(out, 'https://user:***@github.com/org/repo.git');
    assert.ok(!out.includes('ss@'), `no part of the password is left: ${out}`);
  });
});

// The security tier again as an unprivileged user (issue 9: "as root and as an unprivileged
// user"), with the containment tests (issue 7: a user namespace holds the run's PID namespace). Only when run as root with MYCLI_TEST_UNPRIVILEGED_USER naming an existing user
// (.ci/run creates one): the checkout is copied where that user can read it, and the tier runs
// there as that user. Otherwise it says why it did not run.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const user = process.env.MYCLI_TEST_UNPRIVILEGED_USER;
if (process.getuid?.() !== 0 || !user) {
  console.log(`security tier as an unprivileged user: SKIPPED (${process.getuid?.() === 0 ? 'set MYCLI_TEST_UNPRIVILEGED_USER to a user to run it as' : 'already running as an unprivileged user'})`);
  process.exit(0);
}
const root = resolve(import.meta.dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'mycli-unpriv-'));
try {
  for (const part of ['package.json', 'tsconfig.json', '.mocharc.json', 'src', 'test', 'docker', 'dist', 'schemas', 'node_modules']) {
    cpSync(join(root, part), join(copy, part), { recursive: true });
  }
  execFileSync('chown', ['-R', `${user}:`, copy]);
  execFileSync('chmod', ['0755', copy]);
  const home = join(copy, '.home');
  execFileSync('install', ['-d', '-o', user, '-m', '0700', home]);
  const r = spawnSync('runuser', ['-u', user, '--', 'env', `HOME=${home}`, `PATH=${process.env.PATH}`, 'npx', 'mocha', '--timeout', '120000', 'test/security/**/*.test.ts', 'test/integration/containment.test.ts'], { cwd: copy, stdio: 'inherit' });
  console.log(`security tier as ${user}: ${r.status === 0 ? 'passed' : `FAILED (${r.status ?? r.signal})`}`);
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(copy, { recursive: true, force: true });
}

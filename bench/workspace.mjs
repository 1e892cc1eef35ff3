// What the benchmarks share: a scratch folder, an environment with hermetic Git and nothing of
// the caller's mycli settings (the local backend on the host), and a small bare repository.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchWorkspace(prefix) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  const env = { ...gitEnv, MYCLI_HOME: join(work, 'home'), MYCLI_LOCAL_RUNTIME: 'host' };
  for (const k of Object.keys(env)) if (k.startsWith('MYCLI_') && !['MYCLI_HOME', 'MYCLI_LOCAL_RUNTIME'].includes(k)) delete env[k];
  /** A bare repository with one commit of one file. */
  const makeRepo = () => {
    const src = join(work, 'src');
    execFileSync('git', ['init', '-q', '-b', 'main', src], { env: gitEnv });
    writeFileSync(join(src, 'README'), 'bench\n');
    execFileSync('git', ['add', '.'], { cwd: src, env: gitEnv });
    execFileSync('git', ['commit', '-qm', 'bench'], { cwd: src, env: gitEnv });
    execFileSync('git', ['clone', '-q', '--bare', src, join(work, 'repo.git')], { env: gitEnv });
    return join(work, 'repo.git');
  };
  return { work, env, makeRepo };
}

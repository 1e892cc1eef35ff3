/** The workspace both extension-host runners open: a .mycli.yaml pointing at a local Git repository. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../support/codeServer';
import { makeBareRepo, makeTempDir } from '../support/gitRepos';

export interface SuiteFixture {
  tmp: string;
  workspace: string;
  mycliHome: string;
  /** The bundled suite's entry (index.js). */
  testsEntry: string;
}

export async function suiteFixture(): Promise<SuiteFixture> {
  const tmp = await makeTempDir('mycli-ext-host-');
  const repo = await makeBareRepo(tmp, 'project', { main: { 'README.md': '# project\n' } });
  const workspace = join(tmp, 'workspace');
  await mkdir(workspace);
  await writeFile(join(workspace, '.mycli.yaml'), `repo: ${repo.bareDir}\nbranch: main\n`);
  // a second config, told apart by its timeout: Run This Config must use the one it is given
  await mkdir(join(workspace, 'ci'));
  await writeFile(join(workspace, 'ci', '.mycli.yaml'), `repo: ${repo.bareDir}\nbranch: main\ntimeout: 1234\n`);
  // vscode and mocha come from the host and node_modules at run time.
  const outdir = join(ROOT, '.cache', 'extension-tests');
  await build({
    entryPoints: [join(ROOT, 'test/extension/suite/index.ts'), join(ROOT, 'test/extension/suite/extension.test.ts')],
    outdir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  return { tmp, workspace, mycliHome: join(tmp, 'mycli-home'), testsEntry: join(outdir, 'index.js') };
}

/**
 * What both extension-host runners give the suite: a workspace with a .mycli.yaml pointing at a
 * local Git repository, the bundled suite, and a moto server for Deploy/Destroy Backend.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { sdkEnvFor } from '../support/awsEnv';
import { ROOT } from '../support/codeServer';
import { makeBareRepo, makeTempDir } from '../support/gitRepos';
import { motoAvailable, startMoto } from '../support/moto';

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
    entryPoints: ['index.ts', 'extension.test.ts', 'deployBackend.test.ts'].map((f) => join(ROOT, 'test/extension/suite', f)),
    outdir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning',
  });
  return { tmp, workspace, mycliHome: join(tmp, 'mycli-home'), testsEntry: join(outdir, 'index.js') };
}

export interface SuiteAws {
  /** For the host's environment: the SDK pointed at moto, or MYCLI_TEST_MOTO_MISSING saying why there is none. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * A moto server on 127.0.0.1 for the Deploy/Destroy Backend tests (stop it at the end), and the
 * environment that points the host's AWS SDK at it with dummy credentials and no profiles (the
 * shared config files are missing files in `tmp`, so no profile picker shows). Where moto cannot
 * run, those tests skip and print the reason given here.
 */
export async function suiteAws(tmp: string): Promise<SuiteAws> {
  const missing = motoAvailable();
  if (missing) {
    console.log(`extension-host: the Deploy/Destroy Backend tests skip: ${missing}`);
    return { env: { MYCLI_TEST_MOTO_MISSING: missing }, stop: async () => undefined };
  }
  const moto = await startMoto();
  const env: NodeJS.ProcessEnv = {
    ...sdkEnvFor(moto.endpoint),
    AWS_PROFILE: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: join(tmp, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'no-aws-credentials'),
  };
  return { env, stop: () => moto.stop() };
}

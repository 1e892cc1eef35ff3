/**
 * Runs the extension-host suite with @vscode/test-electron, which downloads VS Code: for machines
 * that can reach its download site (ours cannot: CI runs the same suite in code-server instead,
 * `npm run test:extension-host`).
 */
import { runTests } from '@vscode/test-electron';
import { ROOT } from '../support/codeServer';
import { removeDir } from '../support/gitRepos';
import { suiteAws, suiteFixture } from './fixture';

async function main(): Promise<void> {
  const fx = await suiteFixture();
  const aws = await suiteAws(fx.tmp);
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: fx.testsEntry,
      launchArgs: [fx.workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { MYCLI_HOME: fx.mycliHome, ...aws.env },
    });
  } finally {
    await aws.stop();
    await removeDir(fx.tmp);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

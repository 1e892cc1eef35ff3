/**
 * Runs the extension-host suite inside code-server's real extension host (CI can: it has no
 * VS Code download). The workbench's `payload` query parameter sets extensionDevelopmentPath and
 * extensionTestsPath; a connected browser page receives the log and the exit code.
 * The host's environment points the AWS SDK at a moto server this starts (Deploy/Destroy Backend).
 * See ../shared/notes/vscode-e2e.md. Exit status: 0 when every test passed.
 */
import type { Browser } from 'playwright-core';
import { CodeServer, codeServerBin, codeServerDirs, launchChromium, ROOT, startCodeServer } from '../support/codeServer';
import { hermeticEnv, removeDir } from '../support/gitRepos';
import { suiteAws, suiteFixture } from './fixture';

const TIMEOUT_MS = 600_000;

async function main(): Promise<number> {
  const fx = await suiteFixture();
  const [bin, dirs] = await Promise.all([codeServerBin(), codeServerDirs()]);
  const aws = await suiteAws(fx.tmp);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(bin, dirs, hermeticEnv({ MYCLI_HOME: fx.mycliHome, ...aws.env }), fx.workspace);
    browser = await launchChromium();
    const authority = new URL(server.url).host;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${ROOT}`],
      ['extensionTestsPath', `vscode-remote://${authority}${fx.testsEntry}`],
      ['skipWelcome', 'true'],
    ];
    const page = await browser.newPage();
    let exit!: (code: number) => void;
    const exited = new Promise<number>((r) => (exit = r));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => console.log(...args));
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(fx.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<number>((r) => (timer = setTimeout(() => (console.error(`no result within ${TIMEOUT_MS / 1000} s`), r(1)), TIMEOUT_MS)))]);
    clearTimeout(timer);
    return code;
  } finally {
    await browser?.close();
    await server?.stop();
    await aws.stop();
    await removeDir(dirs.root);
    await removeDir(fx.tmp);
  }
}

main().then(
  (code) => {
    console.log(code === 0 ? 'extension-host suite: passed' : `extension-host suite: FAILED (${code})`);
    process.exit(code);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

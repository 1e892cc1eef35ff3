/**
 * The packaged .vsix in a real VS Code (code-server 4.100.3), driven as a person would with
 * playwright-core in Debian's Chromium, on the local backend. Screenshots of each step go to
 * test/e2e/artifacts/ (ignored by git).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { CodeServer, codeServerBin, codeServerDirs, CodeServerDirs, installVsix, launchChromium, openWorkbench, ROOT, startCodeServer } from '../support/codeServer';
import { hermeticEnv, makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';

const ARTIFACTS = join(ROOT, 'test/e2e/artifacts');
const VSIX = join(ROOT, 'mycli.vsix');

describe('e2e: the .vsix in code-server, driven in Chromium', function () {
  this.timeout(600_000);
  let tmp: string;
  let dirs: CodeServerDirs;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let shot = 0;

  const screenshot = async (name: string): Promise<void> => {
    shot += 1;
    await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`) });
  };

  before(async function () {
    await rm(ARTIFACTS, { recursive: true, force: true });
    await mkdir(ARTIFACTS, { recursive: true });
    const bin = await codeServerBin();
    await promisify(execFile)('npm', ['run', 'package'], { cwd: ROOT, maxBuffer: 1 << 24 });
    tmp = await makeTempDir('mycli-e2e-');
    const repo = await makeBareRepo(tmp, 'project', { main: { 'README.md': '# e2e project\n', 'greet.sh': { content: 'echo "hello from greet.sh"\n', mode: 0o755 } } });
    const workspace = join(tmp, 'workspace');
    await mkdir(workspace);
    await writeFile(join(workspace, '.mycli.yaml'), `# runs clone this local repository\nrepo: ${repo.bareDir}\nbranch: main\n`);
    // a second config, in a sub-folder, that only Run This Config on that file applies
    await mkdir(join(workspace, 'ci'));
    await writeFile(join(workspace, 'ci', '.mycli.yaml'), `repo: ${repo.bareDir}\nbranch: main\nenv:\n  E2E_CONFIG: from-ci\n`);
    dirs = await codeServerDirs();
    await installVsix(bin, dirs, VSIX);
    server = await startCodeServer(bin, dirs, hermeticEnv({ MYCLI_HOME: join(tmp, 'mycli-home') }), workspace);
    browser = await launchChromium();
    page = await openWorkbench(browser, server.url, `folder=${encodeURIComponent(workspace)}`);
    // The extension's own view: its container in the activity bar, then the view's header.
    await page.locator('.activitybar [aria-label^="mycli"]').first().click({ timeout: 120_000 });
    await page.locator('.part.sidebar .welcome-view-content').first().waitFor({ timeout: 120_000 });
    await screenshot('workbench');
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    if (tmp) await removeDir(tmp);
  });

  /** Opens the command palette and runs a command by its title (typed, as a person would). */
  async function palette(title: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press('Escape');
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => undefined);
      await page.keyboard.press('Control+Shift+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await page.keyboard.type(title, { delay: 10 });
      const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title.replace(/^mycli: /, '') }).first();
      if (await row.waitFor({ timeout: 10_000 }).then(() => true, () => false)) {
        await page.keyboard.press('Enter');
        return;
      }
      if (attempt >= 3) throw new Error(`the palette never offered "${title}"`);
    }
  }

  /** Types the command into Run Remote Command's input once it shows the target. */
  async function enterCommand(command: string): Promise<void> {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'run on' }).waitFor({ timeout: 60_000 });
    await page.keyboard.type(command, { delay: 5 });
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'run this' }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  const treeItem = (text: string): Locator => page.locator('.pane-body [role="treeitem"]', { hasText: text }).first();
  // The editor renders spaces as no-break spaces.
  const outputText = async (): Promise<string> => (await page.locator('.panel .monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');

  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) {
        await screenshot(`timeout-${what.replace(/\W+/g, '-')}`);
        throw new Error(`timed out waiting for ${what}`);
      }
      await page.waitForTimeout(250);
    }
  }

  it('Run Remote Command from the palette: output in the Output panel, the status bar while it runs, a success icon in the tree', async function () {
    await palette('mycli: Run Remote Command');
    await screenshot('palette');
    await enterCommand('./greet.sh; echo e2e-output-line; sleep 4; echo e2e-done');
    const status = page.locator('.statusbar-item', { hasText: 'mycli: 1 running' });
    await status.waitFor({ timeout: 120_000 });
    // whole lines: the channel's first line echoes the command (`$ ./greet.sh; echo e2e-output-line; ...`)
    await waitFor('the output line', async () => /^e2e-output-line$/m.test(await outputText()));
    await screenshot('running');
    const item = treeItem('e2e-output-line');
    await waitFor('the execution to succeed in the tree', async () => (await item.getAttribute('aria-label'))!.includes('SUCCEEDED exit 0'));
    assert.equal(await item.locator('.codicon-pass').count(), 1, 'the success icon');
    await waitFor('the status bar item to hide', async () => (await status.count()) === 0);
    const out = await outputText();
    assert.match(out, /^hello from greet\.sh$/m);
    assert.match(out, /^e2e-done$/m);
    await screenshot('succeeded');
  });

  it('a failing command shows its failure: the error icon, exit code and stderr marked', async function () {
    await palette('mycli: Run Remote Command');
    await enterCommand('echo e2e-to-stderr >&2; exit 3');
    const item = treeItem('e2e-to-stderr');
    await waitFor('the execution to fail in the tree', async () => (await item.getAttribute('aria-label'))!.includes('FAILED exit 3'));
    assert.equal(await item.locator('.codicon-error').count(), 1, 'the failure icon');
    await waitFor('the stderr line', async () => (await outputText()).includes('[stderr] e2e-to-stderr'));
    await page.locator('.notifications-toasts', { hasText: 'failed with exit code 3' }).first().waitFor({ timeout: 30_000 });
    await screenshot('failed');
  });

  it('right-click .mycli.yaml > Run This Config runs with that file', async function () {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+E');
    // ci/.mycli.yaml, not the folder's own: its env is what tells the two apart
    const folder = page.locator('.explorer-folders-view [role="treeitem"][aria-level="1"]', { hasText: /^ci$/ }).first();
    await folder.waitFor({ timeout: 60_000 });
    if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
    const file = page.locator('.explorer-folders-view [role="treeitem"][aria-level="2"]', { hasText: '.mycli.yaml' }).first();
    await file.waitFor({ timeout: 60_000 });
    await file.click({ button: 'right' });
    const entry = page.locator('.monaco-menu .action-label', { hasText: 'Run This Config' }).first();
    await entry.waitFor({ timeout: 30_000 });
    await screenshot('explorer-menu');
    await entry.click();
    await enterCommand('echo e2e-config-$E2E_CONFIG');
    await page.locator('.activitybar [aria-label^="mycli"]').first().click();
    const item = treeItem('e2e-config-');
    await waitFor('the config run to succeed', async () => (await item.getAttribute('aria-label'))!.includes('SUCCEEDED'));
    await waitFor('its output, with the env of ci/.mycli.yaml', async () => /^e2e-config-from-ci$/m.test(await outputText()));
    await screenshot('run-this-config');
  });

  it('Stop on a running item ends it STOPPED', async function () {
    await palette('mycli: Run Remote Command');
    await enterCommand('echo e2e-long-run; sleep 300');
    const item = treeItem('e2e-long-run');
    await waitFor('the long run to be running', async () => (await item.getAttribute('aria-label'))!.includes('RUNNING'));
    await item.click({ button: 'right' });
    const stop = page.locator('.monaco-menu .action-label', { hasText: 'Stop Execution' }).first();
    await stop.waitFor({ timeout: 30_000 });
    await screenshot('stop-menu');
    await stop.click();
    await waitFor('the run to end STOPPED', async () => (await item.getAttribute('aria-label'))!.includes('STOPPED'));
    assert.equal(await item.locator('.codicon-circle-slash').count(), 1, 'the stopped icon');
    await screenshot('stopped');
  });
});

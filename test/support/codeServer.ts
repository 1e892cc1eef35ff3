/**
 * A real VS Code for the tests: code-server 4.100.3 from npm (test/e2e/installCodeServer.sh puts
 * it in an ignored cache folder), on a loopback port it picks itself, with its own folders, driven
 * by playwright-core in Debian's Chromium. See ../shared/notes/vscode-e2e.md.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Browser, chromium, Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

/** Installs code-server when the cache lacks it (minutes, once); returns its binary. */
export async function codeServerBin(): Promise<string> {
  const { stdout } = await run(join(ROOT, 'test/e2e/installCodeServer.sh'), [], { cwd: ROOT, maxBuffer: 1 << 24 });
  return resolve(ROOT, stdout.trim().split('\n').pop()!);
}

export interface CodeServerDirs {
  root: string;
  userData: string;
  extensions: string;
}

/** Fresh folders, with settings that keep the trust dialog and the welcome page out of the way. */
export async function codeServerDirs(settings: Record<string, unknown> = {}): Promise<CodeServerDirs> {
  const root = await mkdtemp(join(tmpdir(), 'mycli-vscode-'));
  const dirs = { root, userData: join(root, 'user-data'), extensions: join(root, 'extensions') };
  await mkdir(join(dirs.userData, 'User'), { recursive: true });
  await mkdir(dirs.extensions, { recursive: true });
  const all = { 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'workbench.tips.enabled': false, ...settings };
  await writeFile(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(all, null, 2));
  return dirs;
}

const commonArgs = (dirs: CodeServerDirs): string[] => ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--config', join(dirs.root, 'config.yaml')];

export async function installVsix(bin: string, dirs: CodeServerDirs, vsix: string): Promise<void> {
  await run(bin, [...commonArgs(dirs), '--install-extension', vsix], { cwd: dirs.root, maxBuffer: 1 << 24 });
}

export interface CodeServer {
  url: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Starts code-server in its own process group (its watchers die with it) and waits for its port. */
export async function startCodeServer(bin: string, dirs: CodeServerDirs, env: NodeJS.ProcessEnv, workspace: string): Promise<CodeServer> {
  const child: ChildProcess = spawn(
    bin,
    ['--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...commonArgs(dirs), workspace],
    { cwd: dirs.root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 120 s:\n${log}`)), 120_000);
    const onData = (d: Buffer): void => {
      log += d.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code}) before listening:\n${log}`));
    });
  });
  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export async function openWorkbench(browser: Browser, url: string, query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(60_000);
  await page.goto(`${url}/?${query}`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  return page;
}

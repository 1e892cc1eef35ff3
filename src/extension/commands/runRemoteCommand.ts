/**
 * Run Remote Command: the target from `.mycli.yaml` and the folder's Git remote and branch,
 * resolved by the CLI's own resolveRun; the command from an input with recent commands.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { checkImage } from '../../shared/contract';
import { configError, MycliError } from '../../shared/errors';
import { detectGit, listRemotes } from '../../shared/git';
import { ResolvedRun, resolveRun, RunFlags } from '../../shared/resolveRun';
import { remember } from '../recentCommands';
import type { Mycli } from '../services';
import { readSettings } from '../settings';
import { repoName } from '../treeViews/executionModel';
import { registerCommand } from './register';

/** Arguments other commands (Run This Config) and tests pass; from the palette there are none. */
export interface RunArgs {
  command?: string;
  folder?: vscode.Uri;
  configFile?: vscode.Uri;
}

const RECENT_KEY = 'mycli.recentCommands';

export function registerRunRemoteCommand(m: Mycli): void {
  registerCommand(m, 'mycli.runRemoteCommand', (args?: RunArgs) => runRemoteCommand(m, args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {}));
}

export async function runRemoteCommand(m: Mycli, args: RunArgs): Promise<string | undefined> {
  const cwd = args.configFile ? dirname(args.configFile.fsPath) : (await pickFolder(args.folder))?.fsPath;
  if (!cwd) return undefined;
  const settings = readSettings();
  const flags: RunFlags = { remote: settings.remote, ...(args.configFile ? { config: args.configFile.fsPath } : {}) };

  const preview = await previewTarget(flags, cwd, settings.defaultImage);
  if (!preview) return undefined;
  const backend = await m.connection.target();
  const { request } = preview;
  const target = `${repoName(request.repo)}@${request.branch ?? "the remote's default branch"} · ${request.image ?? 'default image'} · ${backend}`;

  const command = args.command ?? (await askCommand(m, target));
  if (!command) return undefined;
  const resolved = withDefaultImage(await resolveRun(command, flags, { cwd, allowLocalRepos: true }), settings.defaultImage);
  if (resolved.unpushed && args.command === undefined) {
    const go = await vscode.window.showWarningMessage(
      `Branch ${resolved.unpushed.branch} has ${resolved.unpushed.commits} commit(s) not pushed to its upstream. The run clones what is pushed.`,
      { modal: true },
      'Run What Is Pushed',
    );
    if (go !== 'Run What Is Pushed') return undefined;
  }
  await m.context.workspaceState.update(RECENT_KEY, remember(m.context.workspaceState.get<string[]>(RECENT_KEY, []), command));
  const { id } = await m.runs.start(resolved.request, target);
  return id;
}

async function pickFolder(given: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (given) return given;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (!folders.length) throw configError('open a folder that holds a Git repository or a .mycli.yaml first (File > Open Folder)');
  if (folders.length === 1) return folders[0]!.uri;
  return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Run in which folder?' }))?.uri;
}

/**
 * The target as resolveRun will see it (with a stand-in command). When it comes from Git and the
 * folder has several remotes (or not the configured one), the user picks the remote.
 */
async function previewTarget(flags: RunFlags, cwd: string, defaultImage: string): Promise<ResolvedRun | undefined> {
  // asked side by side: the picker shows once both are known
  const [git, preview] = await Promise.all([
    detectGit(cwd),
    resolveRun('true', flags, { cwd, allowLocalRepos: true }).catch((err: unknown) => err as Error),
  ]);
  // the folder has no remote of that name: the user picks one of those it has
  const fromGit = preview instanceof Error ? preview instanceof MycliError && preview.field === 'remote' : preview.repoSource === 'git';
  const remotes = git && fromGit ? await listRemotes(git) : [];
  if (git && fromGit && (remotes.length > 1 || preview instanceof Error) && remotes.length > 0) {
    const ordered = [...remotes].sort((a, b) => Number(b === flags.remote) - Number(a === flags.remote));
    const remote = await vscode.window.showQuickPick(ordered, { placeHolder: `Clone from which remote of ${basename(git.topLevel)}?` });
    if (!remote) return undefined;
    flags.remote = remote;
    return withDefaultImage(await resolveRun('true', flags, { cwd, allowLocalRepos: true }), defaultImage);
  }
  if (preview instanceof Error) throw preview;
  return withDefaultImage(preview, defaultImage);
}

/** The `mycli.defaultImage` setting applies when neither the input nor `.mycli.yaml` names an image. */
function withDefaultImage(resolved: ResolvedRun, defaultImage: string): ResolvedRun {
  if (!resolved.request.image && defaultImage) {
    checkImage(defaultImage);
    resolved.request.image = defaultImage;
  }
  return resolved;
}

function askCommand(m: Mycli, target: string): Promise<string | undefined> {
  const recent = m.context.workspaceState.get<string[]>(RECENT_KEY, []);
  const recentItems: vscode.QuickPickItem[] = recent.map((c) => ({ label: c, description: 'recent' }));
  const qp = vscode.window.createQuickPick();
  qp.title = `mycli: run on ${target}`;
  qp.placeholder = 'Shell command to run with sh -c (e.g. make test), then Enter';
  qp.items = recentItems;
  qp.ignoreFocusOut = true;
  return new Promise((resolve) => {
    qp.onDidChangeValue((value) => {
      const typed = value.trim();
      qp.items = typed ? [{ label: typed, description: 'run this' }, ...recentItems.filter((i) => i.label !== typed)] : recentItems;
    });
    qp.onDidAccept(() => {
      const value = qp.selectedItems[0]?.label ?? qp.value.trim();
      if (!value) return;
      resolve(value);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

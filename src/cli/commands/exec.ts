import { Command } from 'commander';
import { backendOptions } from './backendOptions';
import { fstatSync } from 'node:fs';
import { isatty } from 'node:tty';
import { type ExecInput, waitForEnd } from '../../client/apiClient';
import { followLogs } from '../../client/logFollower';
import type { ExecutionInfo } from '../../shared/contract';
import { configError } from '../../shared/errors';
import { localRefExists } from '../../shared/git';
import { resolveRun } from '../../shared/resolveRun';
import { chooseBackend } from '../backendChoice';
import { EXIT, exitCodeOf } from '../exitCodes';
import { printEvents, progress, summary } from '../output';

interface ExecFlags {
  repo?: string;
  branch?: string;
  image?: string;
  env: string[];
  timeout?: string;
  workdir?: string;
  remote?: string;
  config?: string;
  local?: boolean;
  endpoint?: string;
  detach?: boolean;
  /** false with --no-stdin */
  stdin: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerExec(program: Command): void {
  const exec = program
    .command('exec')
    .description('Run a shell command in a fresh clone of a Git repository and stream its output')
    .argument('<command>', 'the shell command, run with sh -c (quote it)')
    .option('--repo <url|path>', 'repository to clone (default: .mycli.yaml, else the origin remote)')
    .option('--branch <ref>', 'branch, tag or full commit id to run (default: .mycli.yaml, else the current branch of this repo)')
    .option('--image <image>', 'container image that runs the command (needs only sh)')
    .option('--env <NAME=value>', 'environment variable for the command; NAME alone copies it from your environment (repeatable)', collect, [])
    .option('--timeout <seconds>', 'stop the command after this many seconds (1-43200, default 3600)')
    .option('--workdir <dir>', 'sub-folder of the repository to run in')
    .option('--remote <name>', 'Git remote to take the repository URL from', 'origin')
    .option('--config <file>', 'use this .mycli.yaml instead of looking for one');
  backendOptions(exec)
    .option('-d, --detach', 'print only the execution id and return at once')
    .option('-n, --no-stdin', 'give the command no input, even when mycli\'s stdin is a pipe or file')
    .addHelpText(
      'after',
      `
Output: the command's stdout on stdout and its stderr on stderr, byte for byte; mycli's own
lines ("mycli: ...") on stderr. Input: a piped stdin is the command's stdin on the local backend
(in-process); a backend over HTTP takes no input and mycli says so.

Exit status: the command's own exit code; 124 timed out; 143 stopped; 78 the executor refused
its settings; 79 the clone failed; 2 invalid input (nothing started); 3 backend unreachable,
the run could not start, or its output could not all be kept (e.g. a full disk).

Examples:
  mycli exec "make test"
  mycli exec --repo https://github.com/org/infra --branch dev --env TF_VAR_region=eu-west-1 "terraform plan"
  mycli exec --repo . --local "ls -la"`,
    )
    .action(async (command: string, flags: ExecFlags) => {
      process.exitCode = await runExec(command, flags);
      await exitWhenFlushed();
    });
}

async function runExec(command: string, flags: ExecFlags): Promise<number> {
  const backend = await chooseBackend(flags);
  const piped = flags.stdin !== false && stdinIsPiped();
  const input: ExecInput | undefined = piped && backend.client.takesInput ? { stdinFd: 0 } : undefined;
  backend.client.prepareExec?.(input);
  // Local paths are resolved here and checked by the backend, which alone knows what it can clone.
  const resolved = await resolveRun(command, flags, { cwd: currentFolder(), allowLocalRepos: true });
  for (const note of resolved.notes) progress(`note: ${note}`);
  if (piped && !input) {
    progress(`note: your stdin is not passed to the command: ${backend.client.target} takes no input (the local backend in-process does: --local); -n says you meant none`);
  }
  const started = await backend.client.exec(resolved.request, input);
  const id = started.execution_id;
  if (flags.detach) {
    process.stdout.write(`${id}\n`);
    return EXIT.ok;
  }
  const { request } = resolved;
  const target = `${backend.client.target}: ${request.repo}${request.branch ? ` (${request.branch})` : ''}`;
  if (started.queue_position) progress(`${id} queued on ${target}; number ${started.queue_position} in line, it starts as other runs end`);
  else progress(`${id} started on ${target}`);

  const abort = new AbortController();
  const onInterrupt = (): void => {
    abort.abort();
    progress(`stopped following; ${id} goes on. Follow it: mycli logs -f ${id}   Stop it: mycli kill ${id}`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', onInterrupt);
  try {
    await followLogs(backend.client, id, printEvents, { follow: true, signal: abort.signal });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  const info = (await waitForEnd(backend.client, id))!;
  progress(summary(info));
  await hintUnpushedRef(info, flags.remote ?? 'origin');
  return exitCodeOf(info);
}

/**
 * Ends the process once its output is flushed, rather than when its last handle has closed: a
 * watcher or a file handle still closing would add some 20 ms to every run.
 */
function exitWhenFlushed(): Promise<never> {
  return new Promise(() => {
    let pending = 2;
    const done = (): void => {
      if (--pending === 0) process.exit();
    };
    process.stdout.write('', done);
    process.stderr.write('', done);
  });
}

/** The folder mycli runs in; one removed under the shell is a usage error, not a crash. */
function currentFolder(): string {
  try {
    return process.cwd();
  } catch {
    throw configError('the folder this shell is in no longer exists (it was removed or moved): cd to one that does, then run again');
  }
}

/** A pipe, a file or a socket on stdin is input for the command; a terminal or /dev/null is not. */
function stdinIsPiped(): boolean {
  if (isatty(0)) return false;
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile() || st.isSocket();
  } catch {
    return false;
  }
}

/** A ref the clone did not find but this repository has: it was never pushed. */
async function hintUnpushedRef(info: ExecutionInfo, remote: string): Promise<void> {
  const m = /ref "(.+?)" is not a branch or tag of /.exec(info.stopped_reason ?? '');
  if (info.status !== 'FAILED' || !m || !(await localRefExists(currentFolder(), m[1]!))) return;
  progress(`"${m[1]}" is in your local repository but not in ${info.repo}: push it first (git push ${remote} ${m[1]}), or pass another --branch`);
}

/**
 * Getting a run its supervisor: a spare that waits for one (spare.ts), else a new process
 * (`node supervisor.js`), which may be started ahead while the run is still being prepared.
 * Then the hand-over: the payload goes in, and the answer `started` (or why not) comes back.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, fstatSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { signalGroup } from './processes';
import { claimSpare, SUPERVISOR_NODE_FLAGS } from './spare';
import type { SupervisorPayload } from './supervisor';

/** A supervisor waiting for its payload. */
export type SupervisorHandle = { kind: 'process'; child: ChildProcess } | { kind: 'spare'; socket: Socket; pid: number };

export interface SupervisorSource {
  supervisorFile: string;
  /** PATH for the supervisor (it looks up nothing else in its environment). */
  path: string;
  /** Where spares of this build wait; undefined: no spares. */
  spareDir?: string;
}

/** A new supervisor process; `stdinFd` becomes its fd 3, handed on to the step that runs the command. */
export function spawnSupervisor(source: SupervisorSource, stderr: 'ignore' | number, stdinFd: number | undefined): ChildProcess {
  return spawn(process.execPath, [...SUPERVISOR_NODE_FLAGS, source.supervisorFile], {
    detached: true,
    stdio: ['pipe', 'pipe', stderr, ...(stdinFd !== undefined ? [stdinFd] : [])],
    env: { PATH: source.path, ELECTRON_RUN_AS_NODE: '1' },
  });
}

/**
 * A supervisor for a run about to be prepared: a spare when one waits (for a run without input,
 * or with a pipe for input: see inputPathFor), else a process started now. Until it is handed a run it
 * does not keep this process alive, and it exits if this process ends without one.
 */
export async function supervisorAhead(source: SupervisorSource, stdinFd: number | undefined): Promise<SupervisorHandle> {
  const spare = await claimSupervisor(source, stdinFd);
  if (spare) {
    // a run refused before its start (a bad env name) must not leave this process waiting on it
    if (spare.kind === 'spare') spare.socket.unref();
    return spare;
  }
  const child = spawnSupervisor(source, 'ignore', stdinFd);
  child.unref();
  for (const s of [child.stdin, child.stdout]) (s as unknown as { unref?(): void }).unref?.();
  return { kind: 'process', child };
}

/**
 * The path by which a spare can open this process's descriptor `fd` itself (a descriptor cannot
 * travel over its socket): a pipe's, through /proc on Linux. Undefined for anything else (a
 * file's offset would not follow, a socket cannot be opened so): that input needs a new supervisor.
 */
export function inputPathFor(fd: number): string | undefined {
  try {
    return fstatSync(fd).isFIFO() && existsSync(`/proc/${process.pid}/fd/${fd}`) ? `/proc/${process.pid}/fd/${fd}` : undefined;
  } catch {
    return undefined;
  }
}

/** A spare that waits, for a run without input or whose input a spare can open (inputPathFor). */
export async function claimSupervisor(source: SupervisorSource, stdinFd: number | undefined): Promise<SupervisorHandle | undefined> {
  if ((stdinFd !== undefined && !inputPathFor(stdinFd)) || !source.spareDir) return undefined;
  const spare = await claimSpare(source.spareDir).catch(() => undefined);
  return spare && { kind: 'spare', ...spare };
}

export const handlePid = (h: SupervisorHandle): number | undefined => (h.kind === 'spare' ? h.pid : h.child.pid);

/** Whether the handle can still be given a run (a process started ahead may have died). */
export const handleUsable = (h: SupervisorHandle): boolean =>
  h.kind === 'spare' ? !h.socket.destroyed : h.child.exitCode === null && h.child.signalCode === null && h.child.pid !== undefined;

/** Lets a handle go unused: a process started ahead exits on its empty payload, a spare on its closed socket. */
export function dropHandle(h: SupervisorHandle): void {
  if (h.kind === 'spare') h.socket.destroy();
  else h.child.stdin?.end();
}

/**
 * Sends the payload and waits for the supervisor's first line: `started`, or `error <reason>`
 * (thrown). Past `timeoutMs` the supervisor is killed, so it never starts the run behind our back.
 */
export async function handOver(h: SupervisorHandle, payload: SupervisorPayload, timeoutMs: number, logHint: string): Promise<void> {
  let input: Writable;
  let output: Readable;
  if (h.kind === 'spare') {
    h.socket.ref();
    input = output = h.socket;
  } else {
    h.child.ref();
    for (const s of [h.child.stdin, h.child.stdout]) (s as unknown as { ref?(): void }).ref?.();
    input = h.child.stdin!;
    output = h.child.stdout!;
  }
  const pid = handlePid(h);
  const answer = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
      reject(new Error(`the supervisor did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    if (h.kind === 'process') {
      h.child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    }
    output.on('error', () => undefined);
    output.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]!);
      }
    });
    // 'close' of its output, not the process's exit: a supervisor whose run was quick can exit
    // before its answer is read, and only once its output is closed is it known it never answered.
    output.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`the supervisor ended before the executor started (see ${logHint})`));
    });
  });
  input.on('error', () => undefined);
  input.end(JSON.stringify(payload));
  const line = await answer;
  output.destroy();
  if (h.kind === 'process') h.child.unref();
  if (line !== 'started') throw new Error(line.replace(/^error /, ''));
}

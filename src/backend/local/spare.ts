/**
 * Spare supervisors: one idle supervisor process kept ready for the next local run, so that a
 * run's start does not wait for a Node process to boot (about 100 ms on a small machine, a
 * third of a short run's dispatch). The supervisor of a run that ends starts one when none is
 * waiting. A spare listens on `<home>/local/spares/<build>/<pid>.sock`, takes the first run that
 * connects and becomes its supervisor; it holds nothing until then. It exits after
 * SPARE_IDLE_MS unclaimed, once its socket file is gone (mycli's home was removed), or once it
 * sees another spare of its build waiting (anotherSpareWaits).
 * MYCLI_LOCAL_SPARE=0 turns spares off.
 *
 * The claim: the client connects, the spare answers `ready` (to one client only), the client
 * sends the payload and half-closes, the spare answers `started` or `error <reason>`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { isAlive } from './processes';

/**
 * How Node runs a supervisor: a small young generation keeps its memory flat while it streams
 * output, and without V8's optimizing compiler, whose threads take CPU from the run on a small
 * machine and whose code grows the process as a long log streams (the work is in Node's builtins).
 */
export const SUPERVISOR_NODE_FLAGS = ['--max-semi-space-size=1', '--no-opt'];

export const SPARE_IDLE_MS = 10 * 60_000;
/** How long after its run a supervisor waits before it starts a spare (spare.ts). */
export const SPARE_DELAY_MS = 300;
/** How often an unclaimed spare checks that its socket file is still there. */
export const SPARE_CHECK_MS = 2_000;

export const sparesWanted = (env: NodeJS.ProcessEnv): boolean => env.MYCLI_LOCAL_SPARE !== '0';

/** The folder of the spares of this build of the supervisor: another build never claims them. */
export function spareDir(home: string, supervisorFile: string): string {
  const st = statSync(supervisorFile);
  const build = `${st.ino.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}-${st.size.toString(36)}`;
  return join(home, 'local', 'spares', build);
}

const socketNames = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((n) => /^\d+\.sock$/.test(n));
  } catch {
    return [];
  }
};

/** A spare of `dir` that said `ready` to this process, or undefined when none is waiting. */
export async function claimSpare(dir: string): Promise<{ socket: Socket; pid: number } | undefined> {
  for (const name of socketNames(dir)) {
    const pid = Number(name.slice(0, -'.sock'.length));
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const s = connect(join(dir, name));
      let got = '';
      const fail = (): void => {
        s.destroy();
        resolve(undefined);
      };
      s.once('error', fail);
      s.once('close', fail);
      s.on('data', function onData(chunk: Buffer) {
        got += chunk.toString();
        if (!got.includes('\n')) return;
        s.removeListener('data', onData);
        s.removeListener('error', fail);
        s.removeListener('close', fail);
        if (got === 'ready\n') resolve(s);
        else fail();
      });
    });
    if (socket) return { socket, pid };
    // taken by another client just now, or its process died without removing the file
    if (!isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
  return undefined;
}

/**
 * Whether another spare of `dir`, with a smaller pid, is waiting: runs that end together each
 * start one, and all but one then leave (each checks as it starts listening and at every
 * SPARE_CHECK_MS), so no more than one Node process waits for long.
 */
export function anotherSpareWaits(dir: string, ownPid: number): boolean {
  return socketNames(dir).some((name) => {
    const pid = Number(name.slice(0, -'.sock'.length));
    return pid < ownPid && isAlive(pid);
  });
}

/** Starts a spare in `dir` unless one is already waiting there. */
export function startSpare(dir: string, supervisorFile: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const waiting = socketNames(dir).filter((name) => {
      const pid = Number(name.slice(0, -'.sock'.length));
      if (isAlive(pid)) return true;
      rmSync(join(dir, name), { force: true });
      return false;
    });
    if (waiting.length) return;
    spawn(process.execPath, [...SUPERVISOR_NODE_FLAGS, supervisorFile, '--spare', dir], {
      detached: true,
      stdio: 'ignore',
      cwd: '/',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ELECTRON_RUN_AS_NODE: '1' },
    }).unref();
  } catch {
    // the next run starts its own supervisor
  }
}

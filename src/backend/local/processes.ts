/** Small process helpers for the local platform (POSIX process groups). */
import { existsSync, readFileSync } from 'node:fs';

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) does not. */
export function isAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true; // no /proc (macOS): kill(0) is the best answer there is
  }
}

/** Whether the process `pid` that started at `started` (processStartTime; unknown: any) still runs. */
export function isSameProcessAlive(pid: number | null | undefined, started: string | null | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (!started) return true;
  const now = processStartTime(pid);
  return now === undefined ? !existsSync('/proc/self/stat') : now === started;
}

/** When a process started (clock ticks since boot, /proc/<pid>/stat field 22): with its pid, it names one process for good. */
export function processStartTime(pid: number | null | undefined): string | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let ownStart: string | undefined;
/** This process's own start time (processStartTime), read once: a spare reads it while it waits. */
export function ownStartTime(): string | undefined {
  return (ownStart ??= processStartTime(process.pid));
}

/**
 * Signals the process group a run recorded, only if its leader is still the process that was
 * recorded: after a restart or a long time, the number may belong to someone else's group.
 */
export function signalRunGroup(pgid: number | null | undefined, started: string | null | undefined, signal: NodeJS.Signals): boolean {
  if (!pgid) return false;
  const now = processStartTime(pgid);
  if (started && now !== undefined && now !== started) return false;
  if (started && now === undefined && existsSync('/proc/self/stat')) return false; // the leader is gone
  return signalGroup(pgid, signal);
}

/** Signals a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number | null | undefined, signal: NodeJS.Signals): boolean {
  if (!pgid) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Telling a full disk from other write failures, and saying so in words a user can act on. */
import { statfsSync } from 'node:fs';

/** A write that failed because the disk (or the user's quota on it) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Why a write under `where` failed: "the disk that holds <where> is full (ENOSPC: ...)" or the error itself. */
export function writeFailure(err: unknown, where: string): string {
  const message = (err as Error).message;
  return isDiskFull(err) ? `the disk that holds ${where} is full (${message})` : message;
}

/** What a user does about a full disk that holds mycli's home. */
export const FREE_DISK_ADVICE = 'free some space there, or set MYCLI_HOME to a folder on another disk';

/** Whether the disk that holds `dir` has less than `bytes` left for this user. */
export function hasNoRoom(dir: string, bytes: number): boolean {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize < bytes;
  } catch {
    return false;
  }
}

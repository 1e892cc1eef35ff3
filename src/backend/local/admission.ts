/**
 * Admission control for `mycli serve`: at most `maxRunning` executions run at once; the rest wait
 * as PENDING in the order they came, up to `maxQueued`, past which new runs are refused with 429.
 * The in-process backend (`mycli exec --local`) has no limits: one user, one run at a time.
 */
import { availableParallelism } from 'node:os';
import { invalid } from '../../shared/errors';

export interface AdmissionLimits {
  maxRunning: number;
  maxQueued: number;
}

/** Runs are mostly waiting on git, the network or the command's own I/O: two per core keeps the machine busy, not swamped. */
export const defaultMaxRunning = (): number => Math.max(2, 2 * availableParallelism());
export const DEFAULT_MAX_QUEUED = 100;
/** What a 429 tells the client to wait before trying again. */
export const RETRY_AFTER_SECONDS = 2;

function whole(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 100_000) throw invalid(`${name} must be a whole number from ${min} to 100000, not "${value}"`);
  return n;
}

/** Flags first, then MYCLI_SERVE_MAX_RUNNING / MYCLI_SERVE_MAX_QUEUED, then the defaults. */
export function admissionLimits(flags: { maxRunning?: string; maxQueued?: string }, env: NodeJS.ProcessEnv): AdmissionLimits {
  return {
    maxRunning: whole(flags.maxRunning, '--max-running', 1) ?? whole(env.MYCLI_SERVE_MAX_RUNNING, 'MYCLI_SERVE_MAX_RUNNING', 1) ?? defaultMaxRunning(),
    maxQueued: whole(flags.maxQueued, '--max-queued', 0) ?? whole(env.MYCLI_SERVE_MAX_QUEUED, 'MYCLI_SERVE_MAX_QUEUED', 0) ?? DEFAULT_MAX_QUEUED,
  };
}

/**
 * The executor's own exit codes (docker/entrypoint.sh "Exit codes"), read the same way by every
 * backend and passed on by the CLI as its own.
 */
export const EXECUTOR_EXIT = {
  /** Bad configuration (phase config), or the workdir missing in the checkout (phase run). */
  badConfiguration: 78,
  /** The clone failed: a missing branch, wrong credentials, an unreachable repository. */
  cloneFailed: 79,
  /** The command timed out (or exited 124 itself: the phase tells them apart). */
  timedOut: 124,
} as const;

/** Exit codes of the mycli CLI (documented in the README). */
import type { ExecutionInfo } from '../shared/contract';
import { EXECUTOR_EXIT } from '../shared/executorExit';

export const EXIT = {
  ok: 0,
  /** Something went wrong that is not one of the cases below (e.g. kill of a finished run). */
  failure: 1,
  /** Invalid input or configuration: nothing was started. */
  usage: 2,
  /** The backend could not be reached, refused the API key, or could not start the run. */
  backend: 3,
  /** The executor refused its settings (e.g. the workdir does not exist in the repository). */
  badConfiguration: EXECUTOR_EXIT.badConfiguration,
  cloneFailed: EXECUTOR_EXIT.cloneFailed,
  timedOut: EXECUTOR_EXIT.timedOut,
  /** Stopped with `mycli kill` (or Ctrl-C twice). */
  stopped: 143,
  /** The user stopped following with Ctrl-C; the run goes on. */
  interrupted: 130,
} as const;

/** The exit code `mycli exec` ends with for a finished execution: the command's own when it ran. */
export function exitCodeOf(info: ExecutionInfo): number {
  switch (info.status) {
    case 'SUCCEEDED':
      return 0;
    case 'TIMED_OUT':
      return EXIT.timedOut;
    case 'STOPPED':
      return EXIT.stopped;
    case 'FAILED':
      // 0 only when the command succeeded but the run did not (its output could not all be kept)
      return info.exit_code || EXIT.backend;
    default:
      return EXIT.failure;
  }
}

/** A run's input (a pipe into `mycli exec`) opened by a spare supervisor, which cannot be handed the descriptor. */
import { closeSync, fstatSync, openSync } from 'node:fs';

/** How a spare's answer starts when it could not open the input: the run then gets a supervisor of its own. */
export const INPUT_NOT_OPENED = "cannot open the run's input";

/**
 * Opens a pipe by its /proc path for reading, without waiting for a writer (a read-only open of
 * a pipe whose writer has already finished would wait for ever): a read-write open first, which
 * never waits, then the read-only one, then the first is closed again, so the reader still sees
 * the end of the input once its last writer is gone.
 */
export function openInputPipe(path: string): number {
  if (!/^\/proc\/\d+\/fd\/\d+$/.test(path)) throw new Error(`${INPUT_NOT_OPENED} (not a descriptor's path: ${path})`);
  let holder: number;
  try {
    holder = openSync(path, 'r+');
  } catch (err) {
    throw new Error(`${INPUT_NOT_OPENED} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    if (!fstatSync(holder).isFIFO()) throw new Error(`${INPUT_NOT_OPENED} (not a pipe)`);
    return openSync(path, 'r');
  } finally {
    closeSync(holder);
  }
}

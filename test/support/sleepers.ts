/**
 * Processes a test started, found on the host by a tag: `sleep <tag>` with a duration no other
 * process on the machine uses. Works wherever the run's command runs (its own PID namespace
 * included), as the host's /proc sees every process.
 */
import { strict as assert } from 'node:assert';
import { randomInt } from 'node:crypto';
import { processesByArgv, sleep } from './proc';

/** A sleep duration no other process on the machine uses: `sleep <tag>` names a process of this test. */
export const tag = (): string => `${randomInt(100000, 999999)}.${randomInt(100, 999)}`;

/** Live processes whose command line has `sleep <t>`. */
export const sleepers = (t: string): number[] =>
  processesByArgv((argv) => argv.includes(t) && argv.some((a) => a === 'sleep' || a.endsWith('/sleep')));

/** Waits (generously: SIGKILLed processes take a moment to be reaped) until no `sleep <t>` is left. */
export async function assertGone(t: string, what: string): Promise<void> {
  const until = Date.now() + 10000;
  while (sleepers(t).length) {
    if (Date.now() > until) assert.fail(`${what} is still running (pids ${sleepers(t).join(', ')})`);
    await sleep(100);
  }
}

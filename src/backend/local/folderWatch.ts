import { type FSWatcher, watch } from 'node:fs';

/** How long a folder's watcher outlives its last waiter, for the wait that usually comes next. */
const KEEP_MS = 2000;

/** Marks count across all watches, so a mark taken from a watch since closed never matches its successor's. */
let lastSeq = 0;

/**
 * Wakes whoever waits on a run's folder at its next change. The watcher stays between two
 * waits, so a change that lands after a reader has read and before it waits again is not missed:
 * a reader that took a mark (mark()) before it read is woken at once if anything changed since;
 * a wait without a mark (one follower, in-process) is woken at once by a change no one waited for.
 */
export class FolderWatch {
  private watcher?: FSWatcher;
  /** Moves on at each change seen: a mark is its value when taken. */
  private seq = ++lastSeq;
  private unseen = false;
  private readonly waiters = new Set<() => void>();
  private closeTimer?: NodeJS.Timeout;
  private closed = false;

  /** `names`: the files whose changes wake (others, as a record's temporary file, do not); all when unset. */
  constructor(
    private readonly dir: string,
    private readonly onClose: () => void,
    private readonly names?: ReadonlySet<string>,
  ) {}

  /** Where the folder is now: a wait given this mark returns at once if it changed after. */
  mark(): number {
    this.keepOpen();
    if (!this.waiters.size) this.closeLater();
    return this.seq;
  }

  wait(maxMs: number, since?: number): Promise<void> {
    this.keepOpen();
    const changed = since === undefined ? this.unseen : since !== this.seq;
    if (since === undefined) this.unseen = false;
    if (changed || this.closed) {
      this.closeLater();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (!this.waiters.size) this.closeLater();
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      this.waiters.add(done);
    });
  }

  private keepOpen(): void {
    clearTimeout(this.closeTimer);
    if (this.watcher || this.closed) return;
    try {
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (!this.names || !name || this.names.has(name)) this.changed();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      // no such folder (yet) or no watcher left: the waits' timers alone
    }
  }

  private changed(): void {
    this.seq = ++lastSeq;
    if (!this.waiters.size) this.unseen = true;
    for (const wake of [...this.waiters]) wake();
  }

  private closeLater(): void {
    if (this.closed) return;
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.close(), KEEP_MS).unref();
  }

  /** For good: waiters are woken (what they wait for can no longer be seen), later waits return at once. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.closeTimer);
    this.watcher?.close();
    this.watcher = undefined;
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
    this.onClose();
  }
}

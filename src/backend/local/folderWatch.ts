import { type FSWatcher, watch } from 'node:fs';

/** How long a folder's watcher outlives its last waiter, for the wait that usually comes next. */
const KEEP_MS = 2000;

/**
 * Wakes whoever waits on a run's folder at its next change. The watcher stays between two
 * waits, so a change that lands after a reader has read and before it waits again wakes that
 * next wait at once instead of being missed (a missed change costs a follower its whole poll).
 */
export class FolderWatch {
  private watcher?: FSWatcher;
  private unseen = false;
  private readonly waiters = new Set<() => void>();
  private closeTimer?: NodeJS.Timeout;

  /** `names`: the files whose changes wake (others, as a record's temporary file, do not); all when unset. */
  constructor(
    private readonly dir: string,
    private readonly onClose: () => void,
    private readonly names?: ReadonlySet<string>,
  ) {}

  wait(maxMs: number): Promise<void> {
    clearTimeout(this.closeTimer);
    if (!this.watcher) this.open();
    if (this.unseen) {
      this.unseen = false;
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

  private open(): void {
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
    if (!this.waiters.size) this.unseen = true;
    for (const wake of [...this.waiters]) wake();
  }

  private closeLater(): void {
    clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.close(), KEEP_MS).unref();
  }

  private close(): void {
    clearTimeout(this.closeTimer);
    this.watcher?.close();
    this.watcher = undefined;
    this.unseen = false;
    for (const wake of [...this.waiters]) wake();
    this.onClose();
  }
}

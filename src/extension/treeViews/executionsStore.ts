/**
 * The executions the tree and the status bar show. It owns the polling: it asks the backend
 * again only while something runs and someone looks (the view is visible), and it reports a
 * failing backend once, not on every poll. Pure: no `vscode` here (listeners are plain callbacks).
 */
import type { ApiClient } from '../../client/apiClient';
import type { ExecutionInfo } from '../../shared/contract';
import { errorMessage } from '../../shared/errors';
import { isActive, sortExecutions } from './executionModel';

export type Listener<T> = (value: T) => void;

export interface StoreOptions {
  /** The current backend's client (it changes with the settings). */
  client: () => Promise<ApiClient>;
  pollMs: number;
  limit?: number;
}

export class ExecutionsStore {
  private items: ExecutionInfo[] = [];
  private loaded = false;
  private lastError: string | undefined;
  private visible = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** The load asked for while one was in flight: it starts when that one ends. */
  private queued: Promise<void> | undefined;
  /** Moves on with reset(): a load begun for the backend before never shows its answer. */
  private generation = 0;
  private disposed = false;
  private readonly changeListeners = new Set<Listener<readonly ExecutionInfo[]>>();
  private readonly errorListeners = new Set<Listener<string | undefined>>();
  private readonly finishListeners = new Set<Listener<ExecutionInfo>>();

  constructor(private readonly opts: StoreOptions) {}

  /** Newest first, running ones on top. */
  get executions(): readonly ExecutionInfo[] {
    return this.items;
  }
  get active(): ExecutionInfo[] {
    return this.items.filter(isActive);
  }
  get hasLoaded(): boolean {
    return this.loaded;
  }
  /** The backend's last error, while it keeps failing. */
  get error(): string | undefined {
    return this.lastError;
  }
  get polling(): boolean {
    return this.timer !== undefined;
  }

  find(id: string): ExecutionInfo | undefined {
    return this.items.find((e) => e.execution_id === id);
  }

  onDidChange(l: Listener<readonly ExecutionInfo[]>): { dispose(): void } {
    return this.listen(this.changeListeners, l);
  }
  /** Called with the message when the backend starts failing, and with undefined when it answers again. */
  onDidChangeError(l: Listener<string | undefined>): { dispose(): void } {
    return this.listen(this.errorListeners, l);
  }
  /** Called once for each run seen going from active to ended. */
  onDidFinish(l: Listener<ExecutionInfo>): { dispose(): void } {
    return this.listen(this.finishListeners, l);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) void this.refresh();
    else this.schedule();
  }

  /**
   * Asks the backend now; a call while a load is in flight asks once more after it, and resolves
   * with that load, so what the caller awaits has seen the backend after the call.
   */
  refresh(): Promise<void> {
    if (!this.inFlight) return this.startLoad();
    const next = (): Promise<void> | undefined => {
      this.queued = undefined;
      return this.disposed ? undefined : this.startLoad();
    };
    // after the load in flight, however it ended
    this.queued ??= this.inFlight.then(next, next);
    return this.queued;
  }

  private startLoad(): Promise<void> {
    const load = this.load().finally(() => {
      if (this.inFlight === load) this.inFlight = undefined;
      if (!this.queued) this.schedule();
    });
    this.inFlight = load;
    return load;
  }

  /** The backend changed (settings): forget what was shown and ask the new one. */
  reset(): Promise<void> {
    this.generation++;
    this.items = [];
    this.loaded = false;
    this.setError(undefined);
    this.emit(this.changeListeners, this.items);
    return this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async load(): Promise<void> {
    const generation = this.generation;
    let list: ExecutionInfo[];
    try {
      const client = await this.opts.client();
      list = (await client.list({ limit: this.opts.limit ?? 100 })).executions;
    } catch (err) {
      if (generation === this.generation) this.setError(errorMessage(err));
      return;
    }
    if (this.disposed || generation !== this.generation) return;
    this.setError(undefined);
    const before = new Map(this.items.map((e) => [e.execution_id, e]));
    this.items = sortExecutions(list);
    this.loaded = true;
    this.emit(this.changeListeners, this.items);
    for (const e of this.items) {
      const old = before.get(e.execution_id);
      if (old && isActive(old) && !isActive(e)) this.emit(this.finishListeners, e);
    }
  }

  private schedule(): void {
    // While the backend fails, the runs last seen active keep it polling, but the error is reported once.
    const wanted = !this.disposed && this.visible && this.items.some(isActive);
    if (!wanted) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    const wait = this.lastError === undefined ? this.opts.pollMs : this.opts.pollMs * 5;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, wait);
  }

  private setError(message: string | undefined): void {
    if (message === this.lastError) return;
    this.lastError = message;
    this.emit(this.errorListeners, message);
  }

  private listen<T>(set: Set<Listener<T>>, l: Listener<T>): { dispose(): void } {
    set.add(l);
    return { dispose: () => set.delete(l) };
  }

  private emit<T>(set: Set<Listener<T>>, value: T): void {
    for (const l of [...set]) l(value);
  }
}

import type { Orchestrator } from '../backend/orchestrator';
import { ActionClient, ExecInput } from './apiClient';
import { jsonCopy } from './jsonCopy';

/** Calls the orchestrator directly: the local backend without a server. */
export class InProcessClient extends ActionClient {
  readonly target = 'local';
  /** The longest wait between reads: the platform wakes a follower as soon as the run's files change. */
  readonly pollIntervalMs = 40;
  /** The supervisor is started from this process, so it can be handed our stdin. */
  override readonly takesInput = true;
  constructor(private readonly orchestrator: Orchestrator) {
    super();
  }
  waitForChange(executionId: string, maxMs: number): Promise<void> {
    const { platform } = this.orchestrator;
    return platform.waitForChange ? platform.waitForChange(executionId, maxMs) : new Promise((r) => setTimeout(r, maxMs));
  }
  prepareExec(input?: ExecInput): void {
    this.orchestrator.platform.prepareStart?.(input?.stdinFd);
  }
  protected async send<T>(body: Record<string, unknown>, input?: ExecInput): Promise<T> {
    // Copied as JSON would copy them, so in-process calls see exactly what an HTTP client would.
    return jsonCopy(await this.orchestrator.handle(jsonCopy(body), input)) as T;
  }
}

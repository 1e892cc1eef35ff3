import type { Orchestrator } from '../backend/orchestrator';
import { ActionClient, ExecInput } from './apiClient';

/** Calls the orchestrator directly: the local backend without a server. */
export class InProcessClient extends ActionClient {
  readonly target = 'local';
  /** A poll is a stat and a read of a local file: cheap enough to keep first-line latency low. */
  readonly pollIntervalMs = 40;
  /** The supervisor is started from this process, so it can be handed our stdin. */
  override readonly takesInput = true;
  constructor(private readonly orchestrator: Orchestrator) {
    super();
  }
  protected async send<T>(body: Record<string, unknown>, input?: ExecInput): Promise<T> {
    // A JSON round trip, so in-process calls see exactly what an HTTP client would.
    return JSON.parse(JSON.stringify(await this.orchestrator.handle(JSON.parse(JSON.stringify(body)), input))) as T;
  }
}

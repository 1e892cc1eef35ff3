/** Waits in the extension host, by polling with a generous deadline. */
import type { MycliApi } from '../../../src/extension/extension';
import type { ExecutionInfo } from '../../../src/shared/contract';

export async function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The execution once it has ended, as the extension's store shows it. */
export function finished(api: MycliApi, id: string): Promise<ExecutionInfo> {
  return until(`${id} to end`, async () => {
    await api.store.refresh();
    const info = api.store.find(id);
    return info && !['PENDING', 'STARTING', 'RUNNING'].includes(info.status) ? info : undefined;
  });
}

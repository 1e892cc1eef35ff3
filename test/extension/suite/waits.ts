/** Waits in the extension host, by polling with a generous deadline. */
import type { MycliApi } from '../../../src/extension/extension';
import type { ExecutionInfo } from '../../../src/shared/contract';
import { waitFor } from '../../support/proc';

/** waitFor with the extension host's generous deadline; `false`, like undefined, is not yet. */
export function until<T>(what: string, get: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  return waitFor(what, async () => {
    const value = await get();
    return value === false ? undefined : value;
  }, timeoutMs);
}

/** The execution once it has ended, as the extension's store shows it. */
export function finished(api: MycliApi, id: string): Promise<ExecutionInfo> {
  return until(`${id} to end`, async () => {
    await api.store.refresh();
    const info = api.store.find(id);
    return info && !['PENDING', 'STARTING', 'RUNNING'].includes(info.status) ? info : undefined;
  });
}

import type { Mycli } from '../services';
import { registerCommand } from './register';

export function registerRefresh(m: Mycli): void {
  registerCommand(m, 'mycli.refresh', () => m.store.refresh());
}

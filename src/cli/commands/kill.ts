import { Command } from 'commander';
import { chooseBackend } from '../backendChoice';
import { backendOptions } from './backendOptions';

export function registerKill(program: Command): void {
  backendOptions(
    program
      .command('kill')
      .description('Stop a running execution (SIGTERM, then SIGKILL after a grace period)')
      .argument('<id>', 'execution id'),
  ).action(async (id: string, flags: { local?: boolean; endpoint?: string }) => {
    const { client } = await chooseBackend(flags);
    const res = await client.kill(id);
    process.stdout.write(`${res.execution_id} ${res.status}\n`);
  });
}

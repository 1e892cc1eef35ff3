import { Command } from 'commander';
import { followLogs } from '../../client/logFollower';
import { chooseBackend } from '../backendChoice';
import { printEvents } from '../output';
import { backendOptions } from './backendOptions';

export function registerLogs(program: Command): void {
  backendOptions(
    program
      .command('logs')
      .description("Print an execution's output from the start")
      .argument('<id>', 'execution id')
      .option('-f, --follow', 'keep printing new lines until the execution ends'),
  ).action(async (id: string, flags: { follow?: boolean; local?: boolean; endpoint?: string }) => {
    const { client } = await chooseBackend(flags);
    await client.status(id);
    await followLogs(client, id, printEvents, { follow: Boolean(flags.follow) });
  });
}

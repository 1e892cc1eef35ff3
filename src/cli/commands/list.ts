import { Command, Option } from 'commander';
import { STATUSES } from '../../shared/status';
import type { ExecutionStatus } from '../../shared/status';
import { chooseBackend } from '../backendChoice';
import { describeDuration } from '../output';
import { backendOptions } from './backendOptions';

export function registerList(program: Command): void {
  backendOptions(
    program
      .command('list')
      .description('List executions, newest first')
      .option('--json', 'print the executions as JSON')
      .option('--limit <n>', 'how many to show', '20')
      .addOption(new Option('--status <status>', 'only executions with this status').choices([...STATUSES])),
  ).action(async (flags: { json?: boolean; limit: string; status?: ExecutionStatus; local?: boolean; endpoint?: string }) => {
    const { client } = await chooseBackend(flags);
    const limit = Number(flags.limit);
    const { executions } = await client.list({ limit: Number.isInteger(limit) ? limit : -1, ...(flags.status ? { status: flags.status } : {}) });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(executions, null, 2)}\n`);
      return;
    }
    if (!executions.length) {
      process.stderr.write('mycli: no executions yet; start one with: mycli exec "<command>"\n');
      return;
    }
    const rows = executions.map((e) => [
      e.execution_id,
      e.status,
      e.exit_code === null ? '-' : String(e.exit_code),
      e.created_at.replace('T', ' ').slice(0, 19),
      describeDuration(e).replace(' in ', '') || '-',
      e.command.split('\n')[0]!.slice(0, 50),
    ]);
    const header = ['ID', 'STATUS', 'EXIT', 'CREATED (UTC)', 'TOOK', 'COMMAND'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
  });
}

import { Command } from 'commander';
import type { ExecutionInfo } from '../../shared/contract';
import { chooseBackend } from '../backendChoice';
import { backendOptions } from './backendOptions';

export function formatStatus(info: ExecutionInfo): string {
  const rows: [string, string | number | null][] = [
    ['execution', info.execution_id],
    ['status', info.status],
    ['exit code', info.exit_code],
    ['repo', info.repo],
    ['branch', info.branch],
    ['command', info.command],
    ['image', info.image],
    ['workdir', info.workdir],
    ['timeout', `${info.timeout_seconds}s`],
    ['created', info.created_at],
    ['started', info.started_at],
    ['stopped', info.stopped_at],
    ['reason', info.stopped_reason],
  ];
  return rows
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${(k + ':').padEnd(11)}${String(v).replace(/\n/g, '\n           ')}`)
    .join('\n');
}

export function registerStatus(program: Command): void {
  backendOptions(
    program
      .command('status')
      .description('Show the status of an execution')
      .argument('<id>', 'execution id')
      .option('--json', 'print the status object as JSON'),
  ).action(async (id: string, flags: { json?: boolean; local?: boolean; endpoint?: string }) => {
    const { client } = await chooseBackend(flags);
    const info = await client.status(id);
    process.stdout.write(flags.json ? `${JSON.stringify(info, null, 2)}\n` : `${formatStatus(info)}\n`);
  });
}

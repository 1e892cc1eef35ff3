import { Command, Option } from 'commander';

/** The options every command that talks to a backend takes. */
export function backendOptions(cmd: Command): Command {
  return cmd
    .option('--local', 'use the local backend')
    .addOption(new Option('--endpoint <url>', 'mycli API endpoint (with MYCLI_API_KEY)').env('MYCLI_API_ENDPOINT'));
}

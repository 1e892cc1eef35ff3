import { Command, Option } from 'commander';

/** The options every command that talks to a backend takes; the precedence is src/client/backendDecision.ts's. */
export function backendOptions(cmd: Command): Command {
  return cmd
    .option('--local', 'use the local backend (wins over everything else)')
    .addOption(new Option('--endpoint <url>', 'mycli API endpoint, with MYCLI_API_KEY or api_key from the user config').env('MYCLI_API_ENDPOINT'))
    .addHelpText(
      'after',
      '\nBackend: --local, else --endpoint (MYCLI_API_ENDPOINT), else the user config ($MYCLI_HOME/config.yaml):\n' +
        'backend: local, else api_endpoint; backend: aws without api_endpoint is an error. Else the local backend.',
    );
}

/** The `mycli` command line. */
import { Command, CommanderError } from 'commander';
import { MycliError } from '../shared/errors';
import { registerConfig } from './commands/config';
import { registerDeploy } from './commands/deploy';
import { registerExec } from './commands/exec';
import { registerKill } from './commands/kill';
import { registerList } from './commands/list';
import { registerLogs } from './commands/logs';
import { registerServe } from './commands/serve';
import { registerStatus } from './commands/status';
import { EXIT } from './exitCodes';
import { version } from '../../package.json';

/** Each top-level command, and what registers it (registerDeploy registers three), in the order `mycli --help` lists them. */
const COMMANDS: Record<string, (program: Command) => void> = {
  exec: registerExec, status: registerStatus, logs: registerLogs, list: registerList, kill: registerKill, serve: registerServe,
  config: registerConfig, init: registerDeploy, destroy: registerDeploy, credentials: registerDeploy,
};
const ALL_COMMANDS = [...new Set(Object.values(COMMANDS))];

function exitCodeForError(err: MycliError): number {
  if (err.code === 'invalid_request' || err.code === 'config_error') return EXIT.usage;
  if (err.code === 'not_found' || err.code === 'conflict') return EXIT.failure;
  return EXIT.backend;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that went away (`mycli logs id | head`) ends the output, not the run.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const program = new Command()
    .name('mycli')
    .description('Run a command from a Git repository in a clean container: on this machine, or on AWS ECS Fargate.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Only the command asked for is built, as a run pays for it at its start; help, the version and
  // a command mycli does not have get them all, in the order `mycli --help` lists them.
  const asked = argv[2] !== undefined && Object.hasOwn(COMMANDS, argv[2]) ? COMMANDS[argv[2]] : undefined;
  for (const register of asked ? [asked] : ALL_COMMANDS) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    if (err instanceof MycliError) {
      process.stderr.write(`mycli: error: ${err.message}\n`);
      process.exitCode = exitCodeForError(err);
      return;
    }
    process.stderr.write(`mycli: unexpected error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = EXIT.failure;
  }
}

void main(process.argv);

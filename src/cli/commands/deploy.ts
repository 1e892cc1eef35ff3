/**
 * `mycli init`, `mycli destroy` and `mycli credentials set|unset`: the AWS deployer (src/deploy)
 * from the command line. The deployer and the AWS SDK load only when one of these runs
 * (dist/deploy.js, beside cli.js), so other commands start without them.
 */
import { createInterface } from 'node:readline/promises';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { invalid, MycliError } from '../../shared/errors';
import { clearDeployedBackend, saveDeployedBackend } from '../../shared/deployedBackend';
import { progress } from '../output';

type Deploy = typeof import('../../deploy');
const loadDeployer = (): Deploy => require('../../deploy') as Deploy;

interface AwsFlags { region?: string; profile?: string; stackName?: string; yes?: boolean }

function awsOptions(cmd: Command): Command {
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION, else your profile\'s region)')
    .option('--profile <profile>', 'AWS profile from ~/.aws/config (SSO, credential_process and source_profile work)')
    .option('--stack-name <name>', 'CloudFormation stack name', 'mycli');
}

async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw invalid(`${question} Pass --yes to confirm when not at a terminal`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`mycli: ${question} [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw new MycliError('conflict', 'cancelled; nothing was changed');
}

/** Ctrl-C cancels the deploy (the deployer rolls an update back) instead of killing mycli mid-way. */
function cancelOnSigint(): { signal: AbortSignal; done: () => void } {
  const ac = new AbortController();
  const onInt = (): void => {
    progress('cancelling ...');
    ac.abort();
  };
  process.on('SIGINT', onInt);
  return { signal: ac.signal, done: () => process.off('SIGINT', onInt) };
}

export function registerDeploy(program: Command): void {
  awsOptions(program.command('init'))
    .description('Deploy (or update) the mycli backend to your AWS account and point this CLI at it')
    .option('--image <image>', 'executor image (default: a public Debian image with git; see docker/README.md for the all-tools image)')
    .option('--no-spot', 'run tasks on FARGATE instead of FARGATE_SPOT')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (o: AwsFlags & { image?: string; spot: boolean }) => {
      const { deployBackend } = loadDeployer();
      const parameters: Record<string, string> = {};
      if (o.image) parameters.ExecutorImage = o.image;
      if (o.spot === false) parameters.UseSpot = 'false';
      await confirm(`deploy stack ${o.stackName} to your AWS account${o.region ? ` in ${o.region}` : ''}?`, o.yes);
      const c = cancelOnSigint();
      try {
        const r = await deployBackend({ ...pick(o), parameters, onProgress: progress, signal: c.signal });
        const saved = await saveDeployedBackend({ endpoint: r.endpoint, region: r.region, ...(o.profile ? { profile: o.profile } : {}), ...(r.apiKey ? { apiKey: r.apiKey } : {}) });
        progress(`${r.changed ? 'deployed' : 'no changes:'} ${r.stackName} in ${r.region}; endpoint ${r.endpoint}`);
        if (r.apiKey) {
          progress(`API key (shown once; saved to ${saved.file}, mode 0600; give it to teammates through a secret store):`);
          process.stdout.write(`${r.apiKey}\n`);
        } else if (!saved.config.api_key) {
          progress(`this stack's API key was made by an earlier init; set it with: mycli config set api_key -`);
        }
        progress('try it: mycli exec "echo hello from Fargate"');
      } catch (err) {
        if (err instanceof MycliError && /ROLLBACK_COMPLETE/.test(err.message) && !o.yes && process.stdin.isTTY) {
          progress(err.message);
          await confirm(`delete the failed stack ${o.stackName} now?`, false);
          await loadDeployer().destroyBackend({ ...pick(o), onProgress: progress });
          progress('deleted; run "mycli init" again');
          return;
        }
        throw err;
      } finally {
        c.done();
      }
    });

  awsOptions(program.command('destroy'))
    .description('Delete the mycli backend stack and its Git credentials secret from your AWS account')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (o: AwsFlags) => {
      await confirm(`delete stack ${o.stackName}, its run history and logs, and its Git credentials secret?`, o.yes);
      const c = cancelOnSigint();
      try {
        await loadDeployer().destroyBackend({ ...pick(o), onProgress: progress, signal: c.signal });
      } finally {
        c.done();
      }
      if (await clearDeployedBackend()) progress('removed the endpoint and API key from your user config');
    });

  const creds = program.command('credentials').description('Git credentials of the AWS backend (kept in AWS Secrets Manager)');
  awsOptions(creds.command('set'))
    .argument('<kind>', 'github | gitlab | ssh')
    .description('Store a Git token (github, gitlab) or SSH private key (ssh) for the backend\'s clones; the value is read from stdin or a prompt, never a flag')
    .action(async (kind: string, o: AwsFlags) => {
      const k = checkKind(kind);
      const value = await readSecret(k);
      await loadDeployer().setGitCredential({ ...pick(o), kind: k, value, onProgress: progress });
    });
  awsOptions(creds.command('unset'))
    .argument('<kind>', 'github | gitlab | ssh')
    .description('Remove a Git credential from the backend')
    .action(async (kind: string, o: AwsFlags) => {
      await loadDeployer().setGitCredential({ ...pick(o), kind: checkKind(kind), value: null, onProgress: progress });
    });
}

function pick(o: AwsFlags): { region?: string; profile?: string; stackName?: string } {
  return { ...(o.region ? { region: o.region } : {}), ...(o.profile ? { profile: o.profile } : {}), ...(o.stackName ? { stackName: o.stackName } : {}) };
}

function checkKind(kind: string): 'github' | 'gitlab' | 'ssh' {
  if (kind === 'github' || kind === 'gitlab' || kind === 'ssh') return kind;
  throw invalid(`unknown credential kind "${kind}": use github, gitlab or ssh`);
}

async function readSecret(kind: string): Promise<string> {
  if (!process.stdin.isTTY) return readFileSync(0, 'utf8');
  if (kind === 'ssh') throw invalid('give the SSH private key on stdin: mycli credentials set ssh < ~/.ssh/id_ed25519');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // do not echo the token
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  process.stderr.write(`mycli: ${kind} token: `);
  const value = await rl.question('');
  rl.close();
  process.stderr.write('\n');
  return value;
}

/**
 * What `mycli exec` will ask git (resolveRun), guessed from its arguments before commander reads
 * them. A guess is safe: gitFacts takes the early answers only when resolveRun asks the same
 * questions of the same folder, and asks again otherwise.
 */
import { askGitFactsEarly } from '../shared/git';

/** The value of `--name value` or `--name=value` among the command's arguments (before `--`). */
function optionValue(args: string[], name: string): string | undefined {
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg === `--${name}`) return args[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

export function askExecFactsEarly(args: string[]): void {
  if (args[0] !== 'exec' || args.includes('--help') || args.includes('-h')) return;
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    return; // a folder removed under us: the run says so, as it would without this
  }
  const repo = optionValue(args, 'repo');
  const branch = optionValue(args, 'branch');
  // as resolveRun asks them
  void askGitFactsEarly(cwd, { remote: !repo || !branch ? optionValue(args, 'remote') ?? 'origin' : undefined, unpushed: !repo && !branch });
}

/**
 * Finding what a run left running outside its process group: a process that called `setsid`
 * or double-forked (a daemon) is no longer in the group the supervisor signals. Where no PID
 * namespace ends such processes with the run, they are found in /proc by what ties them to it:
 * the run's MYCLI_EXECUTION_ID in their initial environment, or an open descriptor on one of
 * the run's output pipes. A process that dropped both (`env -i` and closed its output) is not
 * found: the README says so.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface RunProcess {
  pid: number;
  name: string;
}

/** `pipe:[inode]` of each of this process's descriptors given (the supervisor's ends of a step's pipes). */
export function pipeIds(fds: Array<number | undefined>): string[] {
  const ids: string[] = [];
  for (const fd of fds) {
    if (fd === undefined || fd < 0) continue;
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      if (link.startsWith('pipe:')) ids.push(link);
    } catch {
      // no /proc (macOS) or already closed
    }
  }
  return ids;
}

function holdsPipe(pid: string, pipes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (pipes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

function processName(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/**
 * Live processes (other than this one) that belong to execution `executionId`: started with its
 * id in their environment, or holding one of `pipes` open. Empty where there is no /proc.
 */
export function findRunProcesses(executionId: string, pipes: string[] = []): RunProcess[] {
  const marker = Buffer.from(`MYCLI_EXECUTION_ID=${executionId}\0`);
  const pipeSet = new Set(pipes);
  const found: RunProcess[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return found;
  }
  for (const pid of pids) {
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or someone else's
    }
    // an empty environ is a zombie or a kernel thread
    if (!env.length) continue;
    const tagged = env.indexOf(marker) === 0 || env.indexOf(Buffer.concat([Buffer.from([0]), marker])) >= 0;
    if (tagged || (pipeSet.size && holdsPipe(pid, pipeSet))) found.push({ pid: Number(pid), name: processName(pid) });
  }
  return found;
}

/**
 * SIGKILLs every process of the run that is found (again, a few rounds, as one may fork while
 * it is being killed); returns those it killed.
 */
export function stopRunProcesses(executionId: string, pipes: string[] = []): RunProcess[] {
  const killed = new Map<number, RunProcess>();
  for (let round = 0; round < 3; round++) {
    const found = findRunProcesses(executionId, pipes).filter((p) => {
      try {
        process.kill(p.pid, 'SIGKILL');
        return true;
      } catch {
        return false;
      }
    });
    if (!found.length) break;
    for (const p of found) if (!killed.has(p.pid)) killed.set(p.pid, p);
  }
  return [...killed.values()];
}

/** "1234 (sleep), 1240 (sh)", at most `max` of them named. */
export function describeProcesses(procs: RunProcess[], max = 10): string {
  const shown = procs.slice(0, max).map((p) => `${p.pid} (${p.name})`).join(', ');
  return procs.length > max ? `${shown} and ${procs.length - max} more` : shown;
}

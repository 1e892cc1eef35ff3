/**
 * The supervisor: a detached process, one per local execution, that outlives the CLI or server
 * that started it. It runs the executor's steps, each as its own process group, appends their
 * output to the log as it is written, and records statuses, timestamps and the exit code.
 *
 * Each step writes on three pipes, kept apart in the log: stdout and stderr (the command's own)
 * and fd 3 (MYCLI_MESSAGE_FD: the executor's "mycli: ..." lines, the `mycli` stream).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { join } from 'node:path';
import { canTransition, ExecutionStatus, isTerminal } from '../../shared/status';
import { FREE_DISK_ADVICE, hasNoRoom, isDiskFull, writeFailure } from './diskSpace';
import { ExecutionStore, FILES, LocalRecord, PRIVATE_FILES, RESERVE_BYTES } from './executionStore';
import { LogAppender, LogWriter } from './logFile';
import { describeProcesses, pipeIds, stopRunProcesses } from './leftovers';
import { ownStartTime, processStartTime, signalGroup } from './processes';
import { EXECUTOR_EXIT } from '../../shared/executorExit';
import { openInputPipe } from './inputPipe';

export interface SupervisorStep {
  argv: string[];
  env: Record<string, string>;
  /** A docker container this step runs, stopped with `docker kill` as well as by signal. */
  container?: string;
  /** Seconds after which the supervisor itself stops this step as timed out (docker steps). */
  timeoutSeconds?: number;
  /** The phase this step is, written to the phase file as it starts (the executor writes its own). */
  phase?: 'pull' | 'run';
  /** The image a pull step fetches, for the reason when it fails. */
  image?: string;
  /** This step's stdin is the run's input (the supervisor's fd 3), when the run has one. */
  input?: boolean;
  /**
   * This step runs in a PID namespace of its own, whose processes the kernel ends with it: no need
   * to look for what it left running.
   */
  contained?: boolean;
  /**
   * SIGKILL this step should the supervisor die (util-linux `setpriv --pdeathsig`), for the step
   * that runs the command: a dead supervisor can no longer stop it. An exec more (~1-5 ms CPU),
   * so not for the short clone.
   */
  diesWithSupervisor?: boolean;
  /**
   * Started together with the step before it, so its start-up (namespaces, mounts, the
   * executor's own) overlaps that step; it waits for one byte on GATE_FD before it does
   * anything. Told to go when the step before succeeds; otherwise the gate closes and it exits.
   */
  gated?: boolean;
}

/** The descriptor on which a step writes mycli's own lines, and on which the supervisor gets the run's input. */
export const MESSAGE_FD = 3;
const INPUT_FD = 3;
/** The descriptor on which a gated step waits for its go (MYCLI_GATE_FD). */
export const GATE_FD = 4;

/**
 * How long output may still flow after a step's process has exited, from processes it left
 * running outside its process group, before they are stopped and the output is cut (README
 * "Processes").
 */
export const DRAIN_GRACE_MS = 2000;
/** After the leftovers are killed, how long their pipes may take to close before they are cut regardless. */
const CUT_WAIT_MS = 500;

/** util-linux's setpriv, to give each step SIGKILL should the supervisor die (it then cannot end the run). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => isExecutable(p));

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The program `name` runs as, looked up on `path` as spawn would (undefined: not found). */
function findProgram(name: string, path: string | undefined): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (path ?? '/usr/bin:/bin').split(':')) {
    const file = join(dir || '.', name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/** A stream's OS descriptor (a pipe's, for libuv pipes): node has no public accessor. */
function streamFd(stream: unknown): number | undefined {
  return (stream as { _handle?: { fd?: number } } | null)?._handle?.fd;
}

export interface SupervisorPayload {
  /** The execution's folder. */
  dir: string;
  /** Start a spare supervisor for the next run once this one ends (spare.ts). */
  spares?: boolean;
  steps: SupervisorStep[];
  killGraceSeconds: number;
  /** Seconds after start past which the whole run is stopped as timed out, whatever it is doing. */
  deadlineSeconds: number;
  keepWorkspace: boolean;
  /** Credential values, masked in the log should they ever appear in output. */
  secrets: string[];
  /** The run has input (stdin piped into `mycli exec`): on the supervisor's fd 3, or at inputPath. */
  input?: boolean;
  /** For a spare, which has no fd 3: the pipe to open as the run's input (/proc/<client>/fd/<n>). */
  inputPath?: string;
}

interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** A step's process, with its output already flowing into the log. */
interface StartedStep {
  step: SupervisorStep;
  child: ChildProcess;
  /** Its output pipes (`pipe:[inode]`), to find processes still holding them. */
  pipes: string[];
  done: Promise<StepResult>;
}

export class Supervisor {
  private readonly store: ExecutionStore;
  private record: LocalRecord;
  private readonly log: LogWriter;
  private readonly appender: LogAppender;
  private child: ChildProcess | undefined;
  private childDone: Promise<StepResult> | undefined;
  private currentStep: SupervisorStep | undefined;
  /** The next step, started ahead and waiting at its gate. */
  private ahead: StartedStep | undefined;
  private stopping = false;
  private timedOut = false;
  private killTimer: NodeJS.Timeout | undefined;
  /** The current step's output pipes (`pipe:[inode]`), to find processes still holding them. */
  private pipes: string[] = [];
  /** Where the run's input is: fd 3, inherited, or the pipe a spare opened (payload.inputPath). */
  private inputFd = INPUT_FD;

  constructor(
    private readonly dir: string,
    private readonly payload: SupervisorPayload,
  ) {
    this.store = new ExecutionStore(join(dir, '..', '..', '..'));
    this.record = this.store.readSync(dir);
    this.appender = new LogAppender(join(dir, FILES.log));
    this.log = new LogWriter((parts) => this.appender.append(parts), payload.secrets);
  }

  private update(patch: Partial<LocalRecord>): void {
    if (patch.status && !canTransition(this.record.status, patch.status)) return;
    this.record = { ...this.record, ...patch };
    try {
      this.store.writeSync(this.dir, this.record);
    } catch (err) {
      // A full disk: the run goes on and ends all the same; its final record takes the run's reserve.
      if (!isDiskFull(err) || isTerminal(this.record.status)) throw err;
    }
  }

  /** Starts the first step; resolves once it runs (or throws why it could not start). */
  async start(): Promise<void> {
    if (this.payload.inputPath) this.inputFd = openInputPipe(this.payload.inputPath);
    const started = new Date().toISOString();
    const child = await this.spawnStep(this.payload.steps[0]!);
    this.update({ status: 'STARTING', started_at: started, supervisor_pid: process.pid, supervisor_started: ownStartTime() ?? null, pgid: child.pid ?? null, pgid_started: processStartTime(child.pid) ?? null });
  }

  /** Starts step `i` now if it is gated: it gets ready while the step before it runs. */
  private async startAhead(i: number): Promise<void> {
    const step = this.payload.steps[i];
    if (!step?.gated) return;
    // One that cannot start is started again, in turn, where the reason is logged.
    this.ahead = await this.launchStep(step).catch(() => undefined);
  }

  /** Closes the gate of the step started ahead without a go: it exits, having done nothing. */
  private dropAhead(): Promise<unknown> | undefined {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (!ahead) return undefined;
    (ahead.child.stdio[GATE_FD] as Writable).destroy();
    signalGroup(ahead.child.pid, 'SIGKILL');
    return ahead.done;
  }

  /** Runs every step to the end, then records the outcome. */
  async run(): Promise<void> {
    await this.startAhead(1);
    const watch = setInterval(() => this.watch(), 200);
    const deadline = setTimeout(() => this.stopAll(true), this.payload.deadlineSeconds * 1000);
    let result: StepResult = { code: 0, signal: null, timedOut: false };
    let lastPhase = 'config';
    for (let i = 0; i < this.payload.steps.length; i++) {
      if (i > 0) {
        if (this.stopping) break;
        const child = await this.nextStep(i).catch((err: Error) => {
          this.log.push('mycli', Buffer.from(`mycli: could not start ${this.payload.steps[i]!.argv[0]}: ${err.message}\n`));
          return undefined;
        });
        if (!child) {
          result = { code: 127, signal: null, timedOut: false };
          break;
        }
        this.update({ pgid: child.pid ?? null, pgid_started: processStartTime(child.pid) ?? null, status: 'RUNNING' });
      }
      result = await this.childDone!;
      lastPhase = this.phase() ?? lastPhase;
      if (result.code !== 0 || result.timedOut) break;
    }
    await this.dropAhead();
    clearInterval(watch);
    clearTimeout(deadline);
    if (this.killTimer) clearTimeout(this.killTimer);
    // Daemons that left the group and closed their output: found by the run's id in their environment.
    const strays = this.currentStep?.contained ? [] : stopRunProcesses(this.record.execution_id);
    if (strays.length) this.log.push('mycli', Buffer.from(`mycli: stopped what the command left running outside its process group: ${describeProcesses(strays)}\n`));
    this.log.end();
    this.appender.close();
    // What holds credentials or the run's env is gone before the run is seen to end.
    for (const name of PRIVATE_FILES) rmSync(join(this.dir, FILES[name]), { recursive: true, force: true });
    this.finish(result, lastPhase);
    if (!this.payload.keepWorkspace) rmSync(join(this.dir, FILES.workspace), { recursive: true, force: true });
    rmSync(join(this.dir, FILES.home), { recursive: true, force: true });
  }

  /** Step `i`: the one started ahead is told to go, any other is started now. */
  private async nextStep(i: number): Promise<ChildProcess> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (!ahead) return this.spawnStep(this.payload.steps[i]!);
    this.makeCurrent(ahead);
    (ahead.child.stdio[GATE_FD] as Writable).end('1');
    return ahead.child;
  }

  private async spawnStep(step: SupervisorStep): Promise<ChildProcess> {
    const started = await this.launchStep(step);
    this.makeCurrent(started);
    return started.child;
  }

  private makeCurrent(started: StartedStep): void {
    if (started.step.phase) writeFileSync(join(this.dir, FILES.phase), `${started.step.phase}\n`);
    this.child = started.child;
    this.currentStep = started.step;
    this.pipes = started.pipes;
    this.childDone = started.done;
    const timeout = started.step.timeoutSeconds;
    if (timeout) {
      const t = setTimeout(() => this.stopAll(true), timeout * 1000);
      started.child.once('exit', () => clearTimeout(t));
    }
  }

  /** Spawns a step with its output flowing into the log; a gated one waits at its gate. */
  private launchStep(step: SupervisorStep): Promise<StartedStep> {
    const input = step.input && this.payload.input;
    const env: Record<string, string> = { ...step.env, MYCLI_MESSAGE_FD: String(MESSAGE_FD), ...(step.gated ? { MYCLI_GATE_FD: String(GATE_FD) } : {}) };
    let argv = step.argv;
    if (SETPRIV && step.diesWithSupervisor) {
      const program = findProgram(argv[0]!, env.PATH);
      if (!program) return Promise.reject(Object.assign(new Error(`spawn ${argv[0]} ENOENT`), { code: 'ENOENT' }));
      argv = [SETPRIV, '--pdeathsig', 'KILL', '--', program, ...argv.slice(1)];
    }
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: this.dir,
        env,
        detached: true,
        stdio: [input ? this.inputFd : 'ignore', 'pipe', 'pipe', 'pipe', ...(step.gated ? ['pipe' as const] : [])],
      });
      child.once('error', reject);
      child.once('spawn', () => {
        // The input now belongs to the step alone: a writer gets EPIPE once the step stops reading.
        if (input) closeSync(this.inputFd);
        // a gated step that dies before its go: its gate is gone, nothing to tell
        (child.stdio[GATE_FD] as Writable | undefined)?.on('error', () => undefined);
        const pipes = pipeIds([streamFd(child.stdout), streamFd(child.stderr), streamFd(child.stdio[MESSAGE_FD])]);
        const done = this.waitStep(child, pipes);
        child.stdout!.on('data', (chunk: Buffer) => this.log.push('stdout', chunk));
        child.stderr!.on('data', (chunk: Buffer) => this.log.push('stderr', chunk));
        (child.stdio[MESSAGE_FD] as Readable).on('data', (chunk: Buffer) => this.log.push('mycli', chunk));
        resolve({ step, child, pipes, done });
      });
    });
  }

  /**
   * The step ends when its process exits. Whatever it left running in its group ends with it, as
   * in a container; then its pipes close and every byte it wrote has been read. Processes that
   * left the group (setsid, double fork) may still hold the pipes: they get DRAIN_GRACE_MS to
   * finish writing, then they are stopped, the output is cut and the log says so.
   */
  private waitStep(child: ChildProcess, pipes: string[]): Promise<StepResult> {
    return new Promise((resolve) => {
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let drain: NodeJS.Timeout | undefined;
      let cut: NodeJS.Timeout | undefined;
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        clearTimeout(drain);
        clearTimeout(cut);
        resolve({ ...(exit ?? { code, signal }), timedOut: this.timedOut });
      };
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        signalGroup(child.pid, 'SIGKILL');
        drain = setTimeout(() => {
          const stopped = stopRunProcesses(this.record.execution_id, pipes);
          const after = `${DRAIN_GRACE_MS / 1000} s after the command ended`;
          this.log.push('mycli', Buffer.from(stopped.length
            ? `mycli: stopped what the command left running that still held its output ${after}: ${describeProcesses(stopped)}\n`
            : `mycli: output cut ${after}: processes mycli cannot stop still hold it open\n`));
          cut = setTimeout(() => {
            for (const s of [child.stdout, child.stderr, child.stdio[MESSAGE_FD]]) (s as Readable | null)?.destroy();
            done(code, signal);
          }, CUT_WAIT_MS);
        }, DRAIN_GRACE_MS);
      });
      child.once('close', done);
    });
  }

  private phase(): string | undefined {
    try {
      return readFileSync(join(this.dir, FILES.phase), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  private watch(): void {
    if (this.record.status === 'STARTING' && this.phase() === 'run') this.update({ status: 'RUNNING' });
    if (!this.stopping && existsSync(join(this.dir, FILES.stopRequested))) this.stopAll(false);
  }

  /** SIGTERM to the current step's group (and its container), SIGKILL after the grace period. */
  private stopAll(timedOut: boolean): void {
    if (this.stopping) return;
    this.stopping = true;
    this.timedOut = timedOut;
    const pid = this.child?.pid;
    const step = this.currentStep;
    const container = step?.container;
    const dockerKill = (args: string[]): void => {
      // the step's own docker client (argv[0], an absolute path), not one found on a PATH
      spawnSync(step!.argv[0]!, ['kill', ...args, container!], { stdio: 'ignore', timeout: 10000, env: step!.env });
    };
    if (container) dockerKill(['--signal', 'TERM']);
    signalGroup(pid, 'SIGTERM');
    this.killTimer = setTimeout(() => {
      if (container) dockerKill([]);
      signalGroup(pid, 'SIGKILL');
      stopRunProcesses(this.record.execution_id, this.pipes);
    }, this.payload.killGraceSeconds * 1000);
  }

  private finish(result: StepResult, phase: string): void {
    const stopRequested = existsSync(join(this.dir, FILES.stopRequested));
    const detail = this.log.lastExecutorLine;
    let status: ExecutionStatus;
    let reason: string;
    let exitCode = result.code;
    if (stopRequested && !this.timedOut) {
      status = 'STOPPED';
      reason = 'stopped on request';
    } else if (result.timedOut || phase === 'timed-out') {
      // Only when mycli's own timer fired: a command that exits 124 by itself is FAILED.
      status = 'TIMED_OUT';
      exitCode = EXECUTOR_EXIT.timedOut;
      reason = `timed out after ${this.record.timeout_seconds} seconds`;
    } else if (result.code === 0) {
      status = 'SUCCEEDED';
      reason = 'command exited with code 0';
    } else if (result.code === EXECUTOR_EXIT.badConfiguration && phase !== 'run') {
      status = 'FAILED';
      reason = `bad configuration: ${detail ?? 'the executor refused its settings'}`;
    } else if (result.code === EXECUTOR_EXIT.cloneFailed && phase === 'clone') {
      status = 'FAILED';
      reason = detail ?? 'clone failed';
    } else if (phase === 'pull' && result.code !== null) {
      status = 'FAILED';
      reason = `image ${this.currentStep?.image ?? ''} is not on this machine and could not be pulled: ${detail ?? `docker pull exited with code ${result.code}`}`;
    } else if (result.code === EXECUTOR_EXIT.badConfiguration && phase === 'run' && detail?.startsWith('workdir')) {
      status = 'FAILED';
      reason = detail;
    } else if (result.code === null) {
      status = 'FAILED';
      reason = `the executor was ended by ${result.signal ?? 'a signal'}`;
    } else {
      status = 'FAILED';
      reason = `command exited with code ${result.code}`;
    }
    const lost = this.appender.error;
    if (lost && status !== 'STOPPED' && status !== 'TIMED_OUT') {
      // The exit code stands, but a run whose output is incomplete did not succeed.
      status = 'FAILED';
      reason = `the output could not all be written to the log: ${writeFailure(lost, this.store.root)}, so the output is incomplete; ${reason}`;
    } else if (status === 'FAILED' && hasNoRoom(this.dir, RESERVE_BYTES)) {
      // Tools do not always say so (git: "failed to write new configuration file"), and what they
      // say then can mislead (the executor: "cannot write MYCLI_PHASE_FILE"): the disk comes first.
      reason = `the disk that holds ${this.store.root} is full, which may be why the run failed (${FREE_DISK_ADVICE}): ${reason}`;
    }
    if (isTerminal(this.record.status)) return;
    this.update({ status, exit_code: exitCode, stopped_at: new Date().toISOString(), stopped_reason: reason });
  }
}

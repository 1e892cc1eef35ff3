/**
 * The local platform: each execution runs `docker/entrypoint.sh` (in Docker when asked for an
 * image and an engine answers, on the host otherwise) under a detached supervisor, with its
 * state in files under `$MYCLI_HOME/local`. Same contract, statuses and exit codes as aws.
 */
import { execFile } from 'node:child_process';
import { appendFile, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../../shared/atomicFile';
import { settleAll } from '../../shared/settleAll';
import { FolderWatch } from './folderWatch';
import { INPUT_NOT_OPENED } from './inputPipe';
import type { ExecRequest, ExecResponse, ExecutionInfo, KillResponse, ListRequest, LogsRequest, LogsResponse } from '../../shared/contract';
import { invalid, MycliError } from '../../shared/errors';
import { redactRepoUrl } from '../../shared/repoUrl';
import { isTerminal } from '../../shared/status';
import { loadUserConfig, type UserConfig } from '../../shared/userConfig';
import type { Platform, RunInput } from '../platform';
import { AdmissionLimits, RETRY_AFTER_SECONDS } from './admission';
import { entrypointPath, supervisorPath } from './assets';
import { GitCredentials, resolveGitCredentials, secretValues } from './credentials';
import { ExecutionStore, FILES, LocalRecord, PRIVATE_FILES } from './executionStore';
import { encodeRecord, logSize, offsetFromToken, readLogPage, tokenFromOffset } from './logFile';
import { stopRunProcesses } from './leftovers';
import { isSameProcessAlive, processStartTime, signalRunGroup, sleep } from './processes';
import { checkIsolation, isolatedStep, systemProgram } from './isolation';
import { isDiskFull, writeFailure } from './diskSpace';
import { absolutePath, chooseRuntime, dockerClientEnv, dockerProgram, RuntimeChoice } from './runtime';
import { spareDir, sparesWanted } from './spare';
import type { SupervisorPayload, SupervisorStep } from './supervisor';
import { claimSupervisor, inputPathFor, dropHandle, handleUsable, handlePid, handOver, spawnSupervisor, SupervisorHandle, supervisorAhead, SupervisorSource } from './supervisorLaunch';
import { machineTimeZone } from './timeZone';

export interface LocalPlatformOptions {
  /** MYCLI_HOME: state goes to `<home>/local`. */
  home: string;
  /** Where Git credentials and runtime settings are read from (normally process.env). */
  env: NodeJS.ProcessEnv;
  /**
   * A fixed user config (tests). Otherwise it is read as each run starts, so Git credentials set
   * while `mycli serve` or the extension runs (mycli config set, Set Git Credentials) are used.
   */
  userConfig?: UserConfig;
  killGraceSeconds?: number;
  /** `mycli serve`: how many runs at once, how many waiting (none: no limit). */
  admission?: AdmissionLimits;
}

interface QueuedRun {
  id: string;
  /** Resolves once its record and request are on disk. */
  ready: Promise<void>;
}

/** What a follower reads, and so what wakes it: the log and the record. */
const FOLLOWED_FILES: ReadonlySet<string> = new Set([FILES.log, FILES.record]);
const PUMP_INTERVAL_MS = 200;

/** What the clone step takes from this process's environment: how to reach the network, and which CAs to trust. */
const CLONE_ENV_FROM_USER = [
  'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'all_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO', 'GIT_SSL_CAPATH',
];

const notIsolated = (reason: string): string =>
  `this system cannot isolate the command (${reason}): it runs as your user and sees what your user sees, ` +
  'mycli\'s own files included, so Git credentials are only as safe as your user account (README "Security")';

/** How long a run may spend cloning and starting, on top of its timeout, before the supervisor stops it. */
const START_ALLOWANCE_SECONDS = 300;
/** How long a supervisor may take to start the executor; generous, for a machine under load. */
const SUPERVISOR_START_TIMEOUT_MS = 120_000;

const isUnder = (file: string, dir: string): boolean => !relative(resolve(dir), resolve(file)).startsWith('..');

function publicInfo(r: LocalRecord): ExecutionInfo {
  const { env_names: _e, runtime: _r, supervisor_pid: _s, supervisor_started: _ss, pgid: _p, pgid_started: _ps, queued: _q, ...info } = r;
  return info;
}


export class LocalPlatform implements Platform {
  readonly name = 'local' as const;
  readonly policy = { allowLocalRepos: true };
  readonly store: ExecutionStore;
  private readonly grace: number;
  /** With admission limits: runs holding a slot, and runs waiting for one, in order. */
  private readonly active = new Set<string>();
  private queue: QueuedRun[] = [];
  private readonly folderWatches = new Map<string, FolderWatch>();
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  /** The supervisor got ahead of its run (prepareStart), for a run with this input. */
  private ahead: { stdinFd: number | undefined; handle: Promise<SupervisorHandle | undefined> } | undefined;

  constructor(private readonly opts: LocalPlatformOptions) {
    this.store = new ExecutionStore(opts.home);
    this.grace = opts.killGraceSeconds ?? (Number(opts.env.MYCLI_KILL_GRACE_SECONDS) || 10);
  }

  /** Starts a run now, or queues it when `admission` limits how many run at once (`mycli serve`). */
  async start(id: string, req: ExecRequest, input: RunInput = {}): Promise<ExecResponse> {
    // Only the in-process backend passes stdin, and it has no queue.
    const queued = this.admit(id);
    let ready!: () => void;
    if (queued) this.queue.push({ id, ready: new Promise<void>((r) => (ready = r)) });
    try {
      const choice = await chooseRuntime(req.image, this.opts.env);
      const record: LocalRecord = {
        execution_id: id,
        status: 'PENDING',
        exit_code: null,
        created_at: new Date().toISOString(),
        started_at: null,
        stopped_at: null,
        stopped_reason: null,
        repo: req.repo,
        branch: req.branch ?? null,
        command: req.command,
        image: choice.image ?? null,
        timeout_seconds: req.timeout_seconds!,
        workdir: req.workdir ?? null,
        backend: 'local',
        env_names: Object.keys(req.env ?? {}),
        runtime: choice.runtime,
        supervisor_pid: null,
        pgid: null,
        ...(queued ? { queued: true } : {}),
      };
      const dir = await this.store.create(record);
      try {
        // at once, not one after another: each is a trip through the thread pool of a run's start
        await settleAll([
          mkdir(join(dir, FILES.workspace), { mode: 0o700 }),
          mkdir(join(dir, FILES.home), { mode: 0o700 }),
          writeFile(join(dir, FILES.log), choice.note ? encodeRecord('mycli', Buffer.from(`mycli: ${choice.note}\n`)) : '', { mode: 0o600 }),
          // The request waits on disk (0600, no Git credentials: those are read when it starts), so
          // the queue outlives a restart of the server.
          queued && writeFileAtomic(join(dir, FILES.request), JSON.stringify(req), 0o600),
        ]);
      } catch (err) {
        // Not started, so not kept (a full disk, most likely): the error says why.
        await this.store.discard(dir);
        throw this.store.cannotStart(err);
      }
      if (!queued) return await this.launch(dir, record, req, choice, input);
      const position = this.queue.findIndex((q) => q.id === id);
      return { execution_id: id, status: 'PENDING', created_at: record.created_at, log_stream: join(dir, FILES.log), ...(choice.image ? { image: choice.image } : {}), queue_position: position + 1 };
    } catch (err) {
      if (queued) this.queue = this.queue.filter((q) => q.id !== id);
      throw err;
    } finally {
      if (queued) ready();
    }
  }

  /** With admission limits: takes a running slot (false) or a place in the queue (true), or refuses with 429. */
  private admit(id: string): boolean {
    const limits = this.opts.admission;
    if (!limits) return false;
    this.ensurePump();
    if (this.active.size < limits.maxRunning && this.queue.length === 0) {
      this.active.add(id);
      return false;
    }
    if (this.queue.length >= limits.maxQueued) {
      const err = new MycliError(
        'rate_limited',
        `the local backend is busy: ${this.active.size} runs going and ${this.queue.length} waiting (the most it queues, set by mycli serve --max-queued); try again shortly`,
      );
      err.retryAfterSeconds = RETRY_AFTER_SECONDS;
      throw err;
    }
    return true;
  }

  private async launch(dir: string, record: LocalRecord, req: ExecRequest, choice: RuntimeChoice, input: RunInput = {}): Promise<ExecResponse> {
    const id = record.execution_id;
    let creds: GitCredentials = {};
    try {
      [creds] = await settleAll([
        (async () => resolveGitCredentials(this.opts.env, this.opts.userConfig ?? (await loadUserConfig(this.opts.env))))(),
        mkdir(join(dir, FILES.secrets), { mode: 0o700 }),
      ]);
      const payload = await this.payload(dir, id, req, choice.image, choice.imagePresent ?? true, creds, input.stdinFd !== undefined);
      await this.launchSupervisor(dir, payload, input.stdinFd);
    } catch (err) {
      await this.removeSupervisorsFiles(dir);
      // Recorded, so the run never waits as PENDING for a supervisor that was not started.
      const reason = this.mask(`could not start the run: ${writeFailure(err, this.store.root)}`, creds);
      await this.store.write({ ...record, status: 'FAILED', stopped_at: new Date().toISOString(), stopped_reason: reason });
      if (err instanceof MycliError && err.code === 'invalid_request') throw err;
      throw new MycliError('backend_error', `execution ${id} ${reason}`);
    }
    const now = await this.store.read(id);
    return { execution_id: id, status: now.status, created_at: now.created_at, log_stream: join(dir, FILES.log), ...(choice.image ? { image: choice.image } : {}) };
  }

  /** Starts a queued run (its turn has come), unless it was stopped while it waited. */
  private async launchQueued(id: string): Promise<void> {
    const record = await this.store.read(id);
    if (isTerminal(record.status) || !record.queued) return;
    const requestFile = this.store.file(id, 'request');
    let req: ExecRequest;
    try {
      req = JSON.parse(await readFile(requestFile, 'utf8')) as ExecRequest;
    } catch {
      return; // taken by another server, or stopped
    }
    await rm(requestFile, { force: true });
    const started: LocalRecord = { ...record, queued: false };
    await this.store.write(started);
    const choice = await chooseRuntime(req.image, this.opts.env);
    await this.launch(this.store.dir(id), started, req, choice).catch(() => undefined); // the record says why
  }

  /**
   * While anything runs or waits: frees the slots of runs that ended and starts queued runs in
   * order. Polls the records, because runs end in their own supervisors, and after a restart of
   * the server they are not even its children.
   */
  private ensurePump(): void {
    if (this.pumpTimer) return;
    this.pumpTimer = setInterval(() => void this.pump(), PUMP_INTERVAL_MS);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (const id of [...this.active]) {
        const r = await this.current(id).catch(() => undefined);
        if (!r || isTerminal(r.status)) this.active.delete(id);
      }
      const max = this.opts.admission?.maxRunning ?? Infinity;
      while (this.queue.length && this.active.size < max) {
        const next = this.queue.shift()!;
        this.active.add(next.id);
        await next.ready;
        await this.launchQueued(next.id).catch(() => undefined);
      }
      if (!this.active.size && !this.queue.length && this.pumpTimer) {
        clearInterval(this.pumpTimer);
        this.pumpTimer = undefined;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** `mycli serve` starting: runs still going count against the limit, and queued runs wait in order again. */
  async adoptUnfinished(): Promise<void> {
    const records = await Promise.all((await this.store.ids()).map((id) => this.current(id).catch(() => undefined)));
    const open = records.filter((r): r is LocalRecord => r !== undefined && !isTerminal(r.status));
    open.sort((x, y) => x.created_at.localeCompare(y.created_at) || x.execution_id.localeCompare(y.execution_id));
    for (const r of open) {
      if (r.queued) this.queue.push({ id: r.execution_id, ready: Promise.resolve() });
      else this.active.add(r.execution_id);
    }
    if (open.length) this.ensurePump();
  }

  /** Stops the pump (tests and a server shutting down); queued runs stay queued on disk. */
  close(): void {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  /**
   * The clone step's environment: fixed, from this process's own settings only. Nothing of the
   * run's env, the request or a .mycli.yaml reaches the step that holds the Git credentials.
   */
  private cloneEnv(dir: string): Record<string, string> {
    const env = this.opts.env;
    const out: Record<string, string> = {
      PATH: absolutePath(env),
      HOME: join(dir, FILES.home),
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      // the askpass helper and an SSH key live here, in the run's own folder, for the clone only
      TMPDIR: join(dir, FILES.secrets),
    };
    for (const name of CLONE_ENV_FROM_USER) if (env[name]) out[name] = env[name]!;
    return out;
  }

  /** The supervisor's steps: the clone, then the command in the run's namespaces on the host or in `image`. */
  private async payload(
    dir: string, id: string, req: ExecRequest, image: string | undefined, imagePresent: boolean, creds: GitCredentials, input: boolean,
  ): Promise<SupervisorPayload> {
    const env = this.opts.env;
    // The command's environment (README "Environment"): these, the run's env and MYCLI_* facts.
    const base: Record<string, string> = {
      PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: join(dir, FILES.home),
      LANG: env.LANG ?? 'C.UTF-8',
      // the machine's own time zone unless the caller set one, so times read as they do by hand
      TZ: env.TZ ?? machineTimeZone(),
      TERM: 'dumb',
      SHELL: '/bin/sh',
    };
    const executor: Record<string, string> = {
      REPO_URL: req.repo,
      ...(req.branch ? { REPO_BRANCH: req.branch } : {}),
      USER_COMMAND: req.command,
      ...(req.workdir ? { WORKDIR: req.workdir } : {}),
      TIMEOUT_SECONDS: String(req.timeout_seconds),
      KILL_GRACE_SECONDS: String(this.grace),
      GIT_DEPTH: '1',
      MYCLI_WORKSPACE: join(dir, FILES.workspace),
      MYCLI_PHASE_FILE: join(dir, FILES.phase),
      MYCLI_EXECUTION_ID: id,
    };
    const common = { dir, spares: sparesWanted(env), killGraceSeconds: this.grace, keepWorkspace: env.MYCLI_KEEP_WORKSPACE === '1', secrets: secretValues(creds), input };
    const deadlineSeconds = req.timeout_seconds! + 2 * this.grace + START_ALLOWANCE_SECONDS;
    const bash = systemProgram('bash') ?? 'bash';
    const clone: SupervisorStep = { argv: [bash, entrypointPath()], env: { ...this.cloneEnv(dir), ...executor, MYCLI_MODE: 'clone', ...creds } };
    if (!image) {
      // The run's env reaches the command only: from a file the executor reads just before it starts it.
      const commandEnvFile = join(dir, FILES.commandEnv);
      const [, isolation] = await settleAll([
        writeFile(commandEnvFile, Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}\0`).join(''), { mode: 0o600 }),
        checkIsolation(env, join(this.opts.home, 'local', 'isolation-probe')),
      ]);
      const runEnv = { ...base, ...executor, MYCLI_MODE: 'run' };
      const run: SupervisorStep = isolation.available
        ? {
          ...isolatedStep({
            executorArgv: [bash, entrypointPath()],
            env: runEnv,
            mycliHome: this.opts.home,
            // the executor, opened by its path once the home is hidden: kept visible if the home holds it
            keep: [join(dir, FILES.workspace), join(dir, FILES.home), ...(isUnder(entrypointPath(), this.opts.home) ? [entrypointPath()] : [])],
            fstab: join(dir, FILES.isolateFstab),
            commandEnvFile,
          }),
          input: true,
          contained: true,
          diesWithSupervisor: true,
          gated: true,
        }
        : { argv: [bash, entrypointPath()], env: { ...runEnv, MYCLI_COMMAND_ENV_FILE: commandEnvFile }, input: true, diesWithSupervisor: true, gated: true };
      if (!isolation.available) await appendFile(join(dir, FILES.log), encodeRecord('mycli', Buffer.from(`mycli: ${notIsolated(isolation.reason)}\n`)));
      return { steps: [clone, run], deadlineSeconds, ...common };
    }
    // Docker: the host clones (only that step sees the credentials), then the image, which needs
    // nothing but sh, runs the command on the checkout as the calling user. The command's env
    // reaches docker in a file of the run's (--env-file), never on its command line and never in
    // the docker client's own environment, which is this process's and no one else's.
    const container = `mycli-${basename(dir)}`;
    const workdir = ['/workspace/repo', req.workdir].filter(Boolean).join('/');
    const { PATH: _path, HOME: _home, ...facts } = base;
    const commandEnv: Record<string, string> = {
      ...facts,
      MYCLI_EXECUTION_ID: id,
      MYCLI_REPO: redactRepoUrl(req.repo),
      ...(req.branch ? { MYCLI_REF: req.branch } : {}),
      ...req.env,
    };
    const multiline = Object.keys(commandEnv).find((k) => commandEnv[k]!.includes('\n'));
    if (multiline) throw invalid(`env ${multiline} holds a line break, which docker's --env-file cannot carry: put it in one line (or run with MYCLI_LOCAL_RUNTIME=host)`, 'env');
    const envFile = join(dir, FILES.dockerEnv);
    await writeFile(envFile, Object.entries(commandEnv).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
    const docker = dockerProgram(env);
    const user = process.getuid && process.getgid ? ['--user', `${process.getuid()}:${process.getgid()}`] : [];
    // An image that is not here is pulled as its own step, so a pull that fails says so.
    const pull: SupervisorStep[] = imagePresent ? [] : [{
      argv: [bash, '-o', 'pipefail', '-c', '"$1" pull -q -- "$2" 2>&1 | sed -u "s/^/mycli: docker: /" >&"$MYCLI_MESSAGE_FD"', 'mycli-pull', docker, image],
      env: dockerClientEnv(env),
      phase: 'pull',
      image,
    }];
    const steps: SupervisorStep[] = [
      clone,
      ...pull,
      {
        argv: [
          docker, 'run', '--rm', '--init', ...(input ? ['-i'] : []), '--name', container, ...user,
          '-v', `${join(dir, FILES.workspace)}:/workspace`, '-w', workdir, '--env-file', envFile,
          '--entrypoint', 'sh', image, '-c', req.command,
        ],
        env: dockerClientEnv(env),
        container,
        input: true,
        timeoutSeconds: req.timeout_seconds,
        phase: 'run',
      },
    ];
    return { steps, deadlineSeconds, ...common };
  }

  /**
   * Gets the supervisor of the run this process is about to start, so that it is ready when
   * the run is: a spare that waits (spare.ts), else a process started now, whose Node start-up
   * then overlaps the work before the run (resolving it, writing its record). `stdinFd`: the
   * run's input, as it will be passed to start().
   */
  prepareStart(stdinFd?: number): void {
    if (this.ahead) return;
    this.ahead = { stdinFd, handle: supervisorAhead(this.supervisorSource(), stdinFd).catch(() => undefined) };
  }

  private supervisorSource(): SupervisorSource {
    const supervisorFile = supervisorPath();
    return {
      supervisorFile,
      path: this.opts.env.PATH ?? '/usr/bin:/bin',
      ...(sparesWanted(this.opts.env) ? { spareDir: spareDir(this.opts.home, supervisorFile) } : {}),
    };
  }

  /** The supervisor prepared ahead, a spare, or else none (the caller starts one). */
  private async readySupervisor(source: SupervisorSource, stdinFd: number | undefined): Promise<SupervisorHandle | undefined> {
    const ahead = this.ahead;
    this.ahead = undefined;
    const handle = ahead && (await ahead.handle);
    if (handle && ahead!.stdinFd === stdinFd && handleUsable(handle)) return handle;
    if (handle) dropHandle(handle);
    return claimSupervisor(source, stdinFd);
  }

  private async launchSupervisor(dir: string, payload: SupervisorPayload, stdinFd: number | undefined): Promise<void> {
    const source = this.supervisorSource();
    const handle = await this.readySupervisor(source, stdinFd);
    if (handle?.kind !== 'spare' || stdinFd === undefined) return this.handOverTo(dir, handle, payload, source, stdinFd);
    // A spare opens the run's input itself, while this process still holds it. Where it cannot
    // (it said so before doing anything), a supervisor of the run's own takes it as its fd 3.
    try {
      return await this.handOverTo(dir, handle, { ...payload, inputPath: inputPathFor(stdinFd) }, source, stdinFd);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith(INPUT_NOT_OPENED)) throw err;
      return this.handOverTo(dir, undefined, payload, source, stdinFd);
    }
  }

  /** Hands the run to `handle`, or to a supervisor started now. */
  private async handOverTo(
    dir: string, ready: SupervisorHandle | undefined, payload: SupervisorPayload, source: SupervisorSource, stdinFd: number | undefined,
  ): Promise<void> {
    let handle = ready;
    const errLog = handle ? undefined : await open(join(dir, FILES.supervisorLog), 'a', 0o600);
    try {
      handle ??= { kind: 'process', child: spawnSupervisor(source, errLog!.fd, stdinFd) };
      // Known at once, so a run whose supervisor is still starting on a loaded machine is never
      // taken for one whose supervisor is gone.
      const pid = handlePid(handle);
      if (pid) {
        await writeFile(join(dir, FILES.supervisorPid), `${pid} ${processStartTime(pid) ?? ''}\n`, { mode: 0o600 }).catch((err) => {
          // (a full disk) let go unused, it exits instead of holding this process open
          dropHandle(handle!);
          throw err;
        });
      }
      await handOver(handle, payload, SUPERVISOR_START_TIMEOUT_MS, join(dir, FILES.supervisorLog));
    } finally {
      await errLog?.close();
    }
  }

  private mask(text: string, creds: GitCredentials): string {
    return secretValues(creds).reduce((t, s) => t.split(s).join('***'), text);
  }

  /** The record, with a run whose supervisor vanished recorded as failed. */
  private async current(id: string): Promise<LocalRecord> {
    const r = await this.store.read(id);
    if (isTerminal(r.status)) return r;
    const supervisor = r.supervisor_pid ? { pid: r.supervisor_pid, started: r.supervisor_started } : await this.launchedSupervisor(id);
    // No supervisor yet: a queued run waits for `mycli serve`; any other is being launched, unless
    // that has taken so long that whoever launched it is gone.
    const lost = supervisor
      ? !isSameProcessAlive(supervisor.pid, supervisor.started)
      : !r.queued && Date.now() - Date.parse(r.created_at) > SUPERVISOR_START_TIMEOUT_MS + 30_000;
    if (!lost) return r;
    const again = await this.store.read(id);
    if (isTerminal(again.status)) return again;
    signalRunGroup(again.pgid, again.pgid_started, 'SIGKILL');
    // and what it started outside that group (setsid, daemons), by the run's id in their environment
    stopRunProcesses(id);
    // a container outlives its docker client
    if (again.runtime === 'docker') await this.killContainer(`mycli-${id}`);
    await this.removeSupervisorsFiles(this.store.dir(id));
    const failed: LocalRecord = {
      ...again,
      status: 'FAILED',
      stopped_at: new Date().toISOString(),
      stopped_reason: 'the local supervisor of this run ended without recording a result (was the machine restarted?)',
    };
    await this.store.write(failed).catch((err) => {
      // Reported all the same; recorded by the next reader once the disk has room.
      if (!isDiskFull(err)) throw err;
    });
    return failed;
  }

  /** What only a run's supervisor would have removed (it never ran, or died): credentials and the run's env first. */
  private async removeSupervisorsFiles(dir: string): Promise<void> {
    for (const name of [...PRIVATE_FILES, 'workspace', 'home'] as const) {
      await rm(join(dir, FILES[name]), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private killContainer(name: string): Promise<void> {
    return new Promise((resolve) => {
      execFile(dockerProgram(this.opts.env), ['kill', name], { env: dockerClientEnv(this.opts.env), timeout: 10_000 }, () => resolve());
    });
  }

  /** The supervisor as the platform recorded it at launch (before the supervisor records itself): "pid start-time". */
  private async launchedSupervisor(id: string): Promise<{ pid: number; started?: string } | undefined> {
    try {
      const [pid, started] = (await readFile(this.store.file(id, 'supervisorPid'), 'utf8')).trim().split(' ');
      return Number(pid) ? { pid: Number(pid), started: started || undefined } : undefined;
    } catch {
      return undefined;
    }
  }

  async status(id: string): Promise<ExecutionInfo> {
    return publicInfo(await this.current(id));
  }

  async logs(req: LogsRequest): Promise<LogsResponse> {
    const offset = offsetFromToken(req.next_token);
    const file = this.store.file(req.execution_id, 'log');
    const page = await readLogPage(file, offset, req.limit!);
    // The record is read only once the page has caught up: a page with more after it is not the
    // end whatever the status, and a long log is followed without reading the record at each page.
    // The supervisor writes its last record after the log's last byte, so a terminal status read
    // now, with the log no longer than this page's end, means the log is complete.
    let complete = false;
    if (page.atEnd) {
      const record = await this.current(req.execution_id);
      complete = isTerminal(record.status) && logSize(file) <= page.nextOffset;
    }
    return { execution_id: req.execution_id, events: page.events, next_token: tokenFromOffset(page.nextOffset), complete };
  }

  async list(req: ListRequest): Promise<ExecutionInfo[]> {
    const ids = await this.store.ids();
    const records = await Promise.all(ids.map((id) => this.current(id).catch(() => undefined)));
    return records
      .filter((r): r is LocalRecord => r !== undefined && (!req.status || r.status === req.status))
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.execution_id.localeCompare(a.execution_id))
      .slice(0, req.limit)
      .map(publicInfo);
  }

  /**
   * Wakes when the run's log grows or its record is renamed in. Only those: a follower woken by
   * every file its supervisor touches takes CPU from the run it follows. `since`: a mark from
   * changeMark, taken before the caller read; a change after it wakes this wait at once.
   */
  waitForChange(id: string, maxMs: number, since?: number): Promise<void> {
    return this.folderWatch(id).wait(maxMs, since);
  }

  changeMark(id: string): number {
    return this.folderWatch(id).mark();
  }

  private folderWatch(id: string): FolderWatch {
    let w = this.folderWatches.get(id);
    if (!w) {
      const made = new FolderWatch(this.store.dir(id), () => this.folderWatches.get(id) === made && this.folderWatches.delete(id), FOLLOWED_FILES);
      this.folderWatches.set(id, made);
      w = made;
    }
    return w;
  }

  async stop(id: string): Promise<KillResponse> {
    const r = await this.current(id);
    if (r.queued && r.status === 'PENDING') {
      this.queue = this.queue.filter((q) => q.id !== id);
      await rm(this.store.file(id, 'request'), { force: true });
      await this.store.write({ ...r, queued: false, status: 'STOPPED', stopped_at: new Date().toISOString(), stopped_reason: 'stopped on request before it started' });
      return { execution_id: id, status: 'STOPPED' };
    }
    if (!isTerminal(r.status)) {
      await writeFile(this.store.file(id, 'stopRequested'), new Date().toISOString());
      signalRunGroup(r.pgid, r.pgid_started, 'SIGTERM');
      const until = Date.now() + (this.grace + 5) * 1000;
      while (Date.now() < until) {
        const now = await this.current(id);
        if (isTerminal(now.status)) return { execution_id: id, status: now.status };
        await sleep(100);
      }
    }
    return { execution_id: id, status: (await this.current(id)).status };
  }
}

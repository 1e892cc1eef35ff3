/**
 * Execution state of the local platform under `$MYCLI_HOME/local/executions/<id>/`:
 * `execution.json` (written atomically), `output.log`, `phase`, `stop-requested`, `workspace/`.
 * State is in files so it outlives the CLI, the server and the supervisor that wrote it.
 */
import { readFileSync, rmSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionInfo } from '../../shared/contract';
import { writeFileAtomic, writeFileAtomicSync } from '../../shared/atomicFile';
import { MycliError } from '../../shared/errors';
import { randomFiller } from '../../shared/randomName';
import { settleAll } from '../../shared/settleAll';
import { isTerminal } from '../../shared/status';
import { FREE_DISK_ADVICE, isDiskFull, writeFailure } from './diskSpace';

export interface LocalRecord extends ExecutionInfo {
  env_names: string[];
  runtime: 'host' | 'docker';
  supervisor_pid: number | null;
  /** When the supervisor started (processStartTime): a pid reused by another process is not taken for it. */
  supervisor_started?: string | null;
  /** Waiting in `mycli serve`'s queue (its request is in request.json until it starts). */
  queued?: boolean;
  /** Process group of the executor; signalled as a whole to stop it. */
  pgid: number | null;
  /** When the group's leader started (processStartTime), so a reused number is never signalled. */
  pgid_started?: string | null;
}

export const FILES = {
  record: 'execution.json',
  log: 'output.log',
  phase: 'phase',
  stopRequested: 'stop-requested',
  supervisorLog: 'supervisor.log',
  supervisorPid: 'supervisor.pid',
  request: 'request.json',
  /** The clone's askpass helper and SSH key, for the clone only (0700, removed when it ends). */
  secrets: 'secrets',
  /** The run's env for the command (NAME=value, NUL-ended), read by the executor as the command starts. */
  commandEnv: 'command.env',
  /** The same for a Docker run (docker's --env-file). */
  dockerEnv: 'docker.env',
  /** The mounts that hide mycli's home from the command (isolate.sh). */
  isolateFstab: 'mounts.fstab',
  workspace: 'workspace',
  home: 'home',
  /** Room kept for the run's last record while it runs (see RESERVE_BYTES). */
  reserve: 'reserve',
} as const;

/** What holds credentials, the run's env or how it was isolated: removed before a run is seen to end. */
export const PRIVATE_FILES = ['secrets', 'commandEnv', 'dockerEnv', 'isolateFstab'] as const;

/**
 * A full disk must not lose a run's result: writing the final record needs a new block (the
 * record is replaced through a temp file), and when the disk filled up nothing else may free
 * one (the command's own files fill it, or cutting the log back to its last whole record frees
 * nothing). So each run holds this much from its creation to its end, in a file of random
 * bytes (zeros could be stored as holes on a compressing filesystem), and gives it up for the
 * final record only when the disk is full. 64 KiB: a few blocks on any filesystem.
 */
export const RESERVE_BYTES = 64 * 1024;

export class ExecutionStore {
  readonly root: string;

  constructor(mycliHomeDir: string) {
    this.root = join(mycliHomeDir, 'local', 'executions');
  }

  dir(id: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new MycliError('not_found', `no execution "${id}" on the local backend`, 'execution_id');
    return join(this.root, id);
  }

  file(id: string, name: keyof typeof FILES): string {
    return join(this.dir(id), FILES[name]);
  }

  /** Makes the run's folder with its record and its reserve; on a full disk, nothing is left and the error says so. */
  async create(record: LocalRecord): Promise<string> {
    const dir = this.dir(record.execution_id);
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
    try {
      await settleAll([
        writeFileAtomic(join(dir, FILES.record), JSON.stringify(record, null, 2), 0o600),
        writeFile(join(dir, FILES.reserve), randomFiller(RESERVE_BYTES), { mode: 0o600 }),
      ]);
    } catch (err) {
      await this.discard(dir);
      throw this.cannotStart(err);
    }
    return dir;
  }

  /** Removes a run that never started (its creation failed). */
  async discard(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** A failure while making a run, as the error that explains it when the disk is full. */
  cannotStart(err: unknown): unknown {
    if (!isDiskFull(err)) return err;
    return new MycliError('backend_error', `cannot start the run: ${writeFailure(err, this.root)}; ${FREE_DISK_ADVICE}`);
  }

  async read(id: string): Promise<LocalRecord> {
    try {
      return JSON.parse(await readFile(this.file(id, 'record'), 'utf8')) as LocalRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new MycliError('not_found', `no execution "${id}" on the local backend; "mycli list" shows the executions there are`, 'execution_id');
      }
      throw err;
    }
  }

  readSync(dir: string): LocalRecord {
    return JSON.parse(readFileSync(join(dir, FILES.record), 'utf8')) as LocalRecord;
  }

  /** Writes the record; a final one on a full disk takes the run's reserve. */
  async write(record: LocalRecord): Promise<void> {
    const dir = this.dir(record.execution_id);
    const write = (): Promise<void> => writeFileAtomic(join(dir, FILES.record), JSON.stringify(record, null, 2), 0o600);
    const final = isTerminal(record.status);
    try {
      await write();
    } catch (err) {
      if (!final || !isDiskFull(err) || !(await unlink(join(dir, FILES.reserve)).then(() => true, () => false))) throw err;
      await write();
    }
    if (final) await rm(join(dir, FILES.reserve), { force: true });
  }

  writeSync(dir: string, record: LocalRecord): void {
    const write = (): void => writeFileAtomicSync(join(dir, FILES.record), JSON.stringify(record, null, 2), 0o600);
    const final = isTerminal(record.status);
    try {
      write();
    } catch (err) {
      if (!final || !isDiskFull(err) || !releaseSync(join(dir, FILES.reserve))) throw err;
      write();
    }
    if (final) rmSync(join(dir, FILES.reserve), { force: true });
  }

  async ids(): Promise<string[]> {
    try {
      return (await readdir(this.root)).filter((n) => !n.startsWith('.'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

function releaseSync(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

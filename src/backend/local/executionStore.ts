/**
 * Execution state of the local platform under `$MYCLI_HOME/local/executions/<id>/`:
 * `execution.json` (written atomically), `output.log`, `phase`, `stop-requested`, `workspace/`.
 * State is in files so it outlives the CLI, the server and the supervisor that wrote it.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionInfo } from '../../shared/contract';
import { writeFileAtomic, writeFileAtomicSync } from '../../shared/atomicFile';
import { MycliError } from '../../shared/errors';

export interface LocalRecord extends ExecutionInfo {
  env_names: string[];
  runtime: 'host' | 'docker';
  supervisor_pid: number | null;
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
} as const;

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

  async create(record: LocalRecord): Promise<string> {
    const dir = this.dir(record.execution_id);
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
    await writeFileAtomic(join(dir, FILES.record), JSON.stringify(record, null, 2), 0o600);
    return dir;
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

  async write(record: LocalRecord): Promise<void> {
    await writeFileAtomic(this.file(record.execution_id, 'record'), JSON.stringify(record, null, 2), 0o600);
  }

  writeSync(dir: string, record: LocalRecord): void {
    writeFileAtomicSync(join(dir, FILES.record), JSON.stringify(record, null, 2), 0o600);
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

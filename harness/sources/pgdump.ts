/**
 * pgdump: a PostgreSQL dump (custom format from `pg_dump -Fc`, or plain SQL), restored into the
 * database server of the sandbox (the restore-drill/postgres image) with pg_restore or psql.
 * The dump is a file on this host (path), or a file inside another backup (from: restic, borg, tar,
 * directory), which is restored first.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { BackupError, InfrastructureError } from '../errors.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import { shellCommand } from '../shell.ts';
import { formatDuration } from '../units.ts';
import { pointsFromPaths, staticBase } from './path-source.ts';
import { backupPathsOf, type BackupSource, type RestoreContext, type RestorePoint, type RestoreProgress } from './source.ts';
import { lastLines } from './tool.ts';

export type DumpFormat = 'auto' | 'custom' | 'plain';

export interface PgDumpSourceOptions {
  /** The backup that holds the dump; without it, `file` is a dump (or glob of dumps) on this host. */
  inner?: BackupSource;
  file?: string;
  time?: Date;
  /** With `inner`: where the dump is inside the restored backup (relative to the restore folder). */
  dump?: string;
  database: string;
  user: string;
  format: DumpFormat;
  /** Command that starts the database server in the sandbox and returns once it answers; '' for none. */
  start: string;
  timeoutMs: number;
}

const START_TIMEOUT_MS = 2 * 60_000;

export class PgDumpSource implements BackupSource {
  readonly kind = 'pgdump';
  readonly backupPaths: string[];
  readonly sample?: string[];
  private readonly options: PgDumpSourceOptions;

  constructor(options: PgDumpSourceOptions) {
    this.options = options;
    this.backupPaths = options.inner ? options.inner.backupPaths : [staticBase(options.file!)];
    this.sample = options.inner?.sample;
    if (options.inner?.totalSize) this.totalSize = options.inner.totalSize.bind(options.inner);
  }

  totalSize?: (point: RestorePoint, signal?: AbortSignal) => Promise<number | undefined>;

  backupPathsFor(point: RestorePoint): string[] {
    return this.options.inner ? backupPathsOf(this.options.inner, point) : [point.location];
  }

  points(signal?: AbortSignal): Promise<RestorePoint[]> {
    if (this.options.inner) return this.options.inner.points(signal);
    return pointsFromPaths({ pattern: this.options.file!, declaredTime: this.options.time, type: 'file' });
  }

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    const { sandbox } = context;
    let progress: RestoreProgress;
    let hostDump: string;
    let sandboxDump: string;
    if (this.options.inner) {
      progress = await this.options.inner.restore(point, context);
      const relative = this.options.dump!.replace(/^\/+/, '');
      hostDump = path.join(sandbox.hostRestoreDir, relative);
      sandboxDump = path.posix.join(sandbox.restoreDir, relative);
    } else {
      hostDump = point.location;
      sandboxDump = sandbox.backupPath(point.location);
      progress = { files: 1, bytes: point.sizeBytes ?? 0 };
    }
    const format = this.options.format === 'auto' ? await detectFormat(hostDump, this.options.dump ?? point.location, point.id) : this.options.format;
    await this.startServer(sandbox, context.signal);
    const { database, user } = this.options;
    await this.run(sandbox, context.signal, shellCommand(['createdb', '-U', user, database]), 'create the database', 'infrastructure');
    const load =
      format === 'custom'
        ? shellCommand(['pg_restore', '-U', user, '--no-owner', '--no-privileges', '--exit-on-error', '-d', database, sandboxDump])
        : shellCommand(['psql', '-X', '-q', '-U', user, '-v', 'ON_ERROR_STOP=1', '-d', database, '-f', sandboxDump]);
    await this.run(sandbox, context.signal, load, `load the dump ${path.basename(hostDump)} (${format} format)`, 'backup');
    return progress;
  }

  private async startServer(sandbox: Sandbox, signal: AbortSignal): Promise<void> {
    if (!this.options.start) return;
    const result = await sandbox.exec(this.options.start, { timeoutMs: START_TIMEOUT_MS, signal });
    if (result.exitCode === 127) {
      throw new InfrastructureError('DATABASE_SERVER_MISSING', `The sandbox has no "${this.options.start}": a pgdump source needs a PostgreSQL sandbox (sandbox.image: restore-drill/postgres:latest and the docker sandbox).`);
    }
    if (result.exitCode !== 0 || result.timedOut) {
      throw new InfrastructureError('DATABASE_SERVER_FAILED', `PostgreSQL did not start in the sandbox ("${this.options.start}" ${result.timedOut ? 'timed out' : `exited ${result.exitCode}`}): ${lastLines(result.stderr || result.stdout, 8)}`);
    }
  }

  private async run(sandbox: Sandbox, signal: AbortSignal, command: string, what: string, blame: 'backup' | 'infrastructure'): Promise<void> {
    const result = await sandbox.exec(command, { timeoutMs: this.options.timeoutMs, signal, harnessCommand: true });
    if (result.exitCode === 0 && !result.timedOut) return;
    const why = result.timedOut ? `did not finish within ${formatDuration(this.options.timeoutMs)} (source.timeout)` : `failed (exit ${result.exitCode}): ${lastLines(result.stderr || result.stdout, 6)}`;
    if (blame === 'backup' && !result.timedOut && result.exitCode !== 127) {
      throw new BackupError('DUMP_RESTORE_FAILED', `Could not ${what} into the database ${this.options.database}: ${why}`);
    }
    throw new InfrastructureError('DATABASE_COMMAND_FAILED', `Could not ${what} in the sandbox: ${why}`);
  }
}

/** custom-format dumps start with "PGDMP"; anything else is taken as plain SQL. */
async function detectFormat(hostDump: string, named: string, pointId: string): Promise<'custom' | 'plain'> {
  let handle;
  try {
    handle = await open(hostDump, 'r');
  } catch {
    throw new BackupError('DUMP_NOT_IN_BACKUP', `The restore point ${pointId} has no dump at ${named} (source.dump). Check the path inside the backup.`);
  }
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    return bytesRead === 5 && head.toString('latin1') === 'PGDMP' ? 'custom' : 'plain';
  } finally {
    await handle.close();
  }
}

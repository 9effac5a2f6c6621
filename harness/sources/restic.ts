/**
 * restic: each snapshot is a restore point. Points and sizes are read on this host with
 * `restic snapshots/stats --json`; the restore runs inside the sandbox with `restic restore`.
 * Every call is a read with --no-lock --no-cache, so a repository on read-only media works and is
 * never written. The password reaches restic only as RESTIC_PASSWORD in its environment.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { BackupError, InfrastructureError, InputError } from '../errors.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';
import { shellCommand } from '../shell.ts';
import { formatDuration } from '../units.ts';
import { readPassword, type PasswordRef } from './password.ts';
import { sortNewestFirst, type BackupSource, type RestoreContext, type RestorePoint, type RestoreProgress } from './source.ts';
import { INSTALL_HINT, lastLines, measureTree, refuseLargerPoint, runHostTool } from './tool.ts';
import { entriesIn } from './folder-listing.ts';
import { readToolFailure } from './tool-output.ts';

export interface ResticSourceOptions {
  repository: string;
  password: PasswordRef;
  /** Only these paths of the snapshot (as `restic ls` shows them): a sample restore. */
  paths?: string[];
  /** Folder inside the restore root to restore into (default: the root). */
  into?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const READ_FLAGS = ['--no-lock', '--no-cache'];
const LIST_TIMEOUT_MS = 10 * 60_000;

interface ResticSnapshot {
  id: string;
  short_id?: string;
  time: string;
  hostname?: string;
  paths?: string[];
}

export class ResticSource implements BackupSource {
  readonly kind = 'restic';
  readonly backupPaths: string[];
  readonly sample?: string[];
  private readonly options: ResticSourceOptions;

  constructor(options: ResticSourceOptions) {
    this.options = options;
    this.backupPaths = [options.repository];
    this.sample = options.paths && options.paths.length > 0 ? options.paths : undefined;
  }

  async points(signal?: AbortSignal): Promise<RestorePoint[]> {
    const snapshots = JSON.parse((await this.host(['snapshots', '--json'], 'list the snapshots of', signal)).stdout || '[]') as ResticSnapshot[];
    return sortNewestFirst(
      snapshots.map((s) => ({ id: s.id, time: new Date(s.time), location: this.options.repository, host: s.hostname, paths: s.paths })),
    );
  }

  async totalSize(point: RestorePoint, signal?: AbortSignal): Promise<number | undefined> {
    const stats = JSON.parse((await this.host(['stats', '--json', '--mode', 'restore-size', point.id], `read the size of snapshot ${short(point.id)} in`, signal)).stdout) as { total_size?: number };
    return stats.total_size;
  }

  async listFolder(point: RestorePoint, folder: string, signal?: AbortSignal): Promise<string[]> {
    const listed = await this.host(['ls', '--json', point.id, folder], `list ${folder} of snapshot ${short(point.id)} in`, signal);
    return entriesIn(folder, listed.stdout, `restic ls ${short(point.id)} ${folder}`);
  }

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    const { sandbox } = context;
    await refuseLargerPoint(this, point, context, `snapshot ${short(point.id)}`);
    const password = await this.password();
    const target = path.posix.join(sandbox.restoreDir, this.options.into ?? '.');
    const sample = point.sample ?? this.sample;
    const includes = (sample ?? []).flatMap((p) => ['--include', p]);
    const command = shellCommand(['restic', ...READ_FLAGS, '-r', sandbox.backupPath(this.options.repository), 'restore', point.id, '--target', target, ...includes]);
    const result = await sandbox.exec(command, { timeoutMs: this.options.timeoutMs, signal: context.signal, env: { RESTIC_PASSWORD: password }, harnessCommand: true });
    if (result.timedOut) {
      throw new BackupError('RESTORE_TIMEOUT', `restic restore of ${short(point.id)} did not finish within ${formatDuration(this.options.timeoutMs)} (source.timeout).`);
    }
    const ownersOnly = result.exitCode !== 0 && onlyOwnershipErrors(result.stderr);
    if (result.exitCode !== 0 && !ownersOnly) throw this.failure(result, `restore snapshot ${short(point.id)} from`, 'sandbox');
    const hostTarget = path.join(sandbox.hostRestoreDir, this.options.into ?? '.');
    for (const wanted of sample ?? []) {
      const restored = await access(path.join(hostTarget, wanted)).then(() => true, () => false);
      if (!restored) {
        throw new BackupError('SAMPLE_PATH_MISSING', `restic restored nothing for ${wanted}: snapshot ${short(point.id)} has no such path. "restic ls ${short(point.id)}" shows what it holds; source.paths must name paths as it shows them.`);
      }
    }
    const progress: RestoreProgress = await measureTree(sandbox.hostRestoreDir, context.signal);
    if (ownersOnly) {
      progress.warnings = [
        `restic restored every file, but could not give ${ownersOnly} of them their original owners: the sandbox may not change owners (no CAP_CHOWN). Contents and permissions are restored; the checks judge them.`,
      ];
    }
    context.onProgress(progress);
    return progress;
  }

  private async password(): Promise<string> {
    const password = await readPassword(this.options.password, this.options.env);
    if (password === undefined) throw new InputError('PASSWORD_NOT_NAMED', 'A restic repository always has a password: set source.password_env or source.password_file.');
    return password;
  }

  private async host(args: string[], what: string, signal?: AbortSignal): Promise<ExecResult> {
    const password = await this.password();
    const result = await runHostTool('restic', [...READ_FLAGS, '-r', this.options.repository, ...args], {
      env: { RESTIC_PASSWORD: password },
      timeoutMs: LIST_TIMEOUT_MS,
      signal,
    });
    if (result.exitCode !== 0 || result.timedOut) throw this.failure(result, what, 'host');
    return result;
  }

  /** What went wrong, as an error whose kind decides the verdict (see README: Sources). */
  private failure(result: ExecResult, what: string, where: 'host' | 'sandbox'): Error {
    const repo = this.options.repository;
    const { said, panic } = readToolFailure(result.stderr || result.stdout);
    if (result.timedOut) return new InfrastructureError('TOOL_TIMEOUT', `restic did not answer in time (asked to ${what} ${repo}).`);
    if (panic) return new BackupError('TOOL_CRASHED', `restic crashed (a Go panic) asked to ${what} ${repo}: ${panic}; the repository may be damaged: "restic check --read-data" on a copy tells more.`);
    if (/wrong password or no key found/i.test(said)) {
      const named = this.options.password.env ? `the environment variable ${this.options.password.env}` : `the file ${this.options.password.file}`;
      return new InfrastructureError('REPOSITORY_PASSWORD_WRONG', `The password in ${named} does not open the restic repository ${repo}. Put this repository's password there (${this.options.password.field}).`);
    }
    if (/Is there a repository at the following location|unable to open config file/i.test(said)) {
      return new BackupError('REPOSITORY_NOT_FOUND', `There is no restic repository at ${repo} (source.repository), or it has lost its config file. restic said: ${said}`);
    }
    if (/no matching ID found|invalid id/i.test(said)) {
      return new BackupError('RESTORE_POINT_NOT_FOUND', `The restic repository ${repo} has no snapshot matching this id. restic said: ${said}`);
    }
    if (result.exitCode === 127 && where === 'sandbox') {
      return new InfrastructureError('TOOL_MISSING', `restic is not installed in the sandbox (use the image restore-drill/base or one built on it). ${INSTALL_HINT.restic}`);
    }
    return new BackupError('REPOSITORY_UNREADABLE', `restic could not ${what} ${repo} (exit ${result.exitCode}): ${said}. The repository may be damaged: "restic check --read-data" on a copy tells more.`);
  }
}

/**
 * The number of errors when every error restic reported is a refused change of owner (lchown EPERM),
 * which a sandbox without CAP_CHOWN gives for files owned by other users; else 0.
 */
export function onlyOwnershipErrors(stderr: string): number {
  const errors = stderr.split('\n').filter((line) => line.startsWith('ignoring error for '));
  const total = /There were (\d+) errors/.exec(stderr)?.[1];
  if (errors.length === 0 || total === undefined || Number(total) !== errors.length) return 0;
  // EPERM without CAP_CHOWN; EINVAL in a user namespace (bubblewrap) where the owner's uid is not mapped.
  return errors.every((line) => /: Lchown: lchown .*: (operation not permitted|invalid argument)$/.test(line)) ? errors.length : 0;
}

function short(id: string): string {
  return id.slice(0, 8);
}

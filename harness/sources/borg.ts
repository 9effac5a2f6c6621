/**
 * borg (borgbackup 1.2): each archive is a restore point, named by its archive name. Points and
 * sizes are read on this host (`borg list/info --json`); the restore runs inside the sandbox with
 * `borg extract`. Reads use --bypass-lock and a throwaway BORG_BASE_DIR, so a repository on
 * read-only media works and is never written. The passphrase reaches borg only as BORG_PASSPHRASE.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { BackupError, InfrastructureError } from '../errors.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';
import { shellCommand, shellQuote } from '../shell.ts';
import { formatDuration } from '../units.ts';
import { readPassword, type PasswordRef } from './password.ts';
import { sortNewestFirst, type BackupSource, type RestoreContext, type RestorePoint, type RestoreProgress } from './source.ts';
import { INSTALL_HINT, lastLines, measureTree, refuseLargerPoint, runHostTool } from './tool.ts';
import { entriesIn } from './folder-listing.ts';
import { readToolFailure } from './tool-output.ts';

export interface BorgSourceOptions {
  repository: string;
  /** Unencrypted repositories have none. */
  password: PasswordRef;
  /** Only these paths of the archive (as `borg list` shows them, without a leading /). */
  paths?: string[];
  into?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const LIST_TIMEOUT_MS = 10 * 60_000;
/** Never asks a question, never remembers the repository (that would write the operator's ~/.config). */
const QUIET_ENV = {
  BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
  BORG_DISPLAY_PASSPHRASE: 'no',
  BORG_CHECK_I_KNOW_WHAT_I_AM_DOING: 'NO',
  BORG_DELETE_I_KNOW_WHAT_I_AM_DOING: 'NO',
};

interface BorgArchive {
  name: string;
  id: string;
  time: string;
  hostname?: string;
}

export class BorgSource implements BackupSource {
  readonly kind = 'borg';
  readonly backupPaths: string[];
  readonly sample?: string[];
  private readonly options: BorgSourceOptions;

  constructor(options: BorgSourceOptions) {
    this.options = options;
    this.backupPaths = [options.repository];
    this.sample = options.paths && options.paths.length > 0 ? options.paths.map((p) => p.replace(/^\/+/, '')) : undefined;
  }

  async points(signal?: AbortSignal): Promise<RestorePoint[]> {
    const listed = JSON.parse((await this.host(['list', '--json', '--format', '{hostname}', this.options.repository], 'list the archives', signal)).stdout) as {
      archives: BorgArchive[];
    };
    return sortNewestFirst(listed.archives.map((a) => ({ id: a.name, time: borgTime(a.time), location: this.options.repository, host: a.hostname })));
  }

  async totalSize(point: RestorePoint, signal?: AbortSignal): Promise<number | undefined> {
    const info = JSON.parse((await this.host(['info', '--json', `${this.options.repository}::${point.id}`], `read archive ${point.id}`, signal)).stdout) as {
      archives: { stats?: { original_size?: number } }[];
    };
    return info.archives[0]?.stats?.original_size;
  }

  async listFolder(point: RestorePoint, folder: string, signal?: AbortSignal): Promise<string[]> {
    const relative = folder.replace(/^\/+/, '');
    // Only the folder's own entries are printed: everything deeper is excluded.
    const deeper = `re:^${relative.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^/]+/.`;
    const listed = await this.host(['list', '--json-lines', `${this.options.repository}::${point.id}`, relative, '--exclude', deeper], `list ${relative} of archive ${point.id}`, signal);
    return entriesIn(relative, listed.stdout, `borg list ${point.id} ${relative}`);
  }

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    const { sandbox } = context;
    await refuseLargerPoint(this, point, context, `archive ${point.id}`);
    const passphrase = await readPassword(this.options.password, this.options.env);
    const target = path.posix.join(sandbox.restoreDir, this.options.into ?? '.');
    const sample = point.sample ?? this.sample;
    const extract = shellCommand(['borg', 'extract', '--bypass-lock', `${sandbox.backupPath(this.options.repository)}::${point.id}`, ...(sample ?? [])]);
    // borg extracts into the working folder; its cache and security folders go to a scratch place.
    const command = `mkdir -p ${shellQuote(target)} && cd ${shellQuote(target)} && BORG_BASE_DIR="$(mktemp -d)" ${extract}`;
    const env: Record<string, string> = { ...QUIET_ENV, ...(passphrase !== undefined ? { BORG_PASSPHRASE: passphrase } : {}) };
    const result = await sandbox.exec(command, { timeoutMs: this.options.timeoutMs, signal: context.signal, env, harnessCommand: true });
    if (result.timedOut) {
      throw new BackupError('RESTORE_TIMEOUT', `borg extract of ${point.id} did not finish within ${formatDuration(this.options.timeoutMs)} (source.timeout).`);
    }
    // Exit 1 is a warning (for example a sample path that matched nothing, checked below).
    if (result.exitCode > 1) throw this.failure(result, `extract archive ${point.id}`, 'sandbox');
    const hostTarget = path.join(sandbox.hostRestoreDir, this.options.into ?? '.');
    for (const wanted of sample ?? []) {
      if (!(await access(path.join(hostTarget, wanted)).then(() => true, () => false))) {
        throw new BackupError('SAMPLE_PATH_MISSING', `borg extracted nothing for ${wanted}: archive ${point.id} has no such path. "borg list REPO::${point.id}" shows what it holds; source.paths must name paths as it shows them.`);
      }
    }
    if (result.exitCode === 1 && !sample) throw this.failure(result, `extract archive ${point.id}`, 'sandbox');
    const progress = await measureTree(sandbox.hostRestoreDir, context.signal);
    context.onProgress(progress);
    return progress;
  }

  private async host(args: string[], what: string, signal?: AbortSignal): Promise<ExecResult> {
    const passphrase = await readPassword(this.options.password, this.options.env);
    const [command, ...rest] = args;
    const result = await runHostTool('borg', [command!, '--bypass-lock', ...rest], {
      // BORG_BASE_DIR defaults to HOME, which runHostTool makes a scratch folder.
      env: { ...QUIET_ENV, ...(passphrase !== undefined ? { BORG_PASSPHRASE: passphrase } : {}) },
      timeoutMs: LIST_TIMEOUT_MS,
      signal,
    });
    if (result.exitCode !== 0 || result.timedOut) throw this.failure(result, what, 'host');
    return result;
  }

  private failure(result: ExecResult, what: string, where: 'host' | 'sandbox'): Error {
    const repo = this.options.repository;
    const { said } = readToolFailure(result.stderr || result.stdout);
    if (result.timedOut) return new InfrastructureError('TOOL_TIMEOUT', `borg could not ${what} in ${repo} in time.`);
    if (/passphrase supplied in BORG_PASSPHRASE.*is incorrect|passphrase.*incorrect|Enter passphrase/i.test(said)) {
      const ref = this.options.password;
      const named = ref.env ? `the environment variable ${ref.env}` : ref.file ? `the file ${ref.file}` : 'no password (source.password_env or source.password_file is not set)';
      return new InfrastructureError('REPOSITORY_PASSWORD_WRONG', `The passphrase from ${named} does not open the borg repository ${repo}. Put this repository's passphrase there.`);
    }
    if (/is not a valid repository|Repository .* does not exist/i.test(said)) {
      return new BackupError('REPOSITORY_NOT_FOUND', `There is no borg repository at ${repo} (source.repository). borg said: ${said}`);
    }
    if (/Archive .* does not exist/i.test(said)) {
      return new BackupError('RESTORE_POINT_NOT_FOUND', `The borg repository ${repo} has no such archive. borg said: ${said}`);
    }
    if (result.exitCode === 127 && where === 'sandbox') {
      return new InfrastructureError('TOOL_MISSING', `borg is not installed in the sandbox (use the image restore-drill/base or one built on it). ${INSTALL_HINT.borg}`);
    }
    return new BackupError('REPOSITORY_UNREADABLE', `borg could not ${what} in ${repo} (exit ${result.exitCode}): ${said}. The repository may be damaged: "borg check" on a copy tells more.`);
  }
}

/** borg 1.2 prints local times without an offset ("2026-11-25T03:00:00.000000"). */
function borgTime(text: string): Date {
  return /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? new Date(text) : new Date(text.replace(/(\.\d{3})\d*$/, '$1'));
}

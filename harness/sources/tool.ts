/**
 * Helpers shared by the backup-engine sources (restic, borg): running the engine on this host to
 * list points, and turning what it prints on failure into errors an operator can act on.
 */
import { mkdtemp, readdir, lstat, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';
import { runProcess } from '../sandboxes/process.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';
import { budgetOf } from '../sandboxes/restore-budget.ts';
import type { BackupSource, RestoreContext, RestorePoint, RestoreProgress } from './source.ts';

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const INSTALL_HINT: Record<string, string> = {
  restic: 'Install it (Debian/Ubuntu: apt-get install restic).',
  borg: 'Install it (Debian/Ubuntu: apt-get install borgbackup).',
};

/** Runs a backup tool on this host with a clean environment and a scratch HOME that is removed after. */
export async function runHostTool(
  program: string,
  args: string[],
  options: { env: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
): Promise<ExecResult> {
  const home = await mkdtemp(path.join(os.tmpdir(), `restore-drill-${program}-`));
  try {
    return await runProcess(program, args, {
      env: { PATH: SAFE_PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8', ...options.env },
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InfrastructureError('TOOL_MISSING', `${program} is not installed on this host, and restore-drill needs it to list the restore points. ${INSTALL_HINT[program] ?? ''}`);
    }
    throw err;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The last few lines a tool printed, on one line, for an error message. */
export function lastLines(text: string, count = 4): string {
  return text.trim().split('\n').filter(Boolean).slice(-count).join(' | ') || '(no output)';
}

/** Counts the regular files and their bytes under a folder (what a restore produced). */
export async function measureTree(root: string, signal?: AbortSignal): Promise<RestoreProgress> {
  const total: RestoreProgress = { files: 0, bytes: 0 };
  const pending = [root];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const dir = pending.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        total.files++;
        total.bytes += (await lstat(full)).size;
      }
    }
  }
  return total;
}

/**
 * With sandbox.restore_size set, a whole point whose size the engine knows in advance (restic stats,
 * borg info) is refused before a byte is restored when it is larger. The watch on the restore folder
 * (sandbox exec) stops what this cannot see: a sample's size, an engine that cannot tell.
 */
export async function refuseLargerPoint(source: BackupSource, point: RestorePoint, context: RestoreContext, what: string): Promise<void> {
  const budget = budgetOf(context.sandbox);
  if (!budget.declared || source.sample || !source.totalSize) return;
  const size = await source.totalSize(point, context.signal).catch(() => undefined);
  if (size !== undefined) budget.refuseLarger(size, what);
}

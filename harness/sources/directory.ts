/** A folder per restore point (a snapshot directory, a NAS copy): copied into the sandbox. */
import { copyFile, mkdir, readlink, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { BackupError, errorMessage } from '../errors.ts';
import { walkSorted } from '../manifest/walk.ts';
import { budgetOf } from '../sandboxes/restore-budget.ts';
import { landsInside, PathSource } from './path-source.ts';
import type { BackupSource, RestoreContext, RestorePoint, RestoreProgress } from './source.ts';

export class DirectorySource extends PathSource implements BackupSource {
  readonly kind = 'directory';
  protected readonly pointType = 'directory';

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    const progress: RestoreProgress = { files: 0, bytes: 0 };
    const into = context.sandbox.hostRestoreDir;
    const budget = budgetOf(context.sandbox);
    try {
      for await (const entry of walkSorted(point.location, { symlinks: true, signal: context.signal })) {
        const target = path.join(into, entry.relative);
        await mkdir(path.dirname(target), { recursive: true });
        if (entry.type === 'symlink') {
          const link = await readlink(entry.absolute);
          if (!landsInside(entry.relative, link)) {
            throw new BackupError('SNAPSHOT_LINK_OUTSIDE_ROOT', `${entry.absolute} is a link to ${link}, outside the snapshot: refused.`);
          }
          await symlink(link, target);
          continue;
        }
        const size = (await stat(entry.absolute)).size;
        budget.charge(size, `the file ${entry.absolute}`);
        await copyFile(entry.absolute, target);
        progress.files++;
        progress.bytes += size;
        context.onProgress(progress);
      }
    } catch (err) {
      if (err instanceof BackupError || context.signal.aborted) throw err;
      throw new BackupError('SNAPSHOT_UNREADABLE', `The snapshot ${point.location} could not be copied: ${errorMessage(err)}`, { cause: err });
    }
    return progress;
  }
}

/** Where the backup's host paths appear in a docker sandbox (read-only bind mounts). */
import { stat } from 'node:fs/promises';
import path from 'node:path';

export const BACKUP_DIR = '/backup';

/**
 * Each backup path read-only at /backup/<n>: a folder as that folder, a file (one point's archive)
 * alone at /backup/<n>/<its name>, so that the archives beside it are not visible in the sandbox.
 */
export async function backupMounts(paths: string[]): Promise<{ source: string; target: string }[]> {
  return Promise.all(
    paths.map(async (source, i) => {
      const absolute = path.resolve(source);
      const isFile = await stat(absolute).then((s) => s.isFile(), () => false);
      return { source: absolute, target: isFile ? `${BACKUP_DIR}/${i}/${path.basename(absolute)}` : `${BACKUP_DIR}/${i}` };
    }),
  );
}


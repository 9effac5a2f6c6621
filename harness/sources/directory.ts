/** A folder per restore point (a snapshot directory, a NAS copy): copied into the sandbox. */
import { mkdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { BackupError, errorMessage } from '../errors.ts';
import { recordDigestsFor } from '../manifest/known-digests.ts';
import { displayBytes } from '../manifest/names.ts';
import { walkSorted } from '../manifest/walk.ts';
import { budgetOf } from '../sandboxes/restore-budget.ts';
import { copyHashing } from './hashing-copy.ts';
import { landsInside, PathSource } from './path-source.ts';
import { Reflinks } from './reflink.ts';
import type { BackupSource, RestoreContext, RestorePoint, RestoreProgress } from './source.ts';

const COPY_CHUNK = 1024 * 1024;

export class DirectorySource extends PathSource implements BackupSource {
  readonly kind = 'directory';
  protected readonly pointType = 'directory';

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    const progress: RestoreProgress = { files: 0, bytes: 0 };
    // A sandbox that reads the folder where it lies (a disk image booted through an overlay) copies nothing.
    if (context.sandbox.adoptInPlace?.(point.location)) return { files: 0, bytes: 0 };
    const into = context.sandbox.hostRestoreDir;
    const budget = budgetOf(context.sandbox);
    const digests = recordDigestsFor(context.sandbox);
    const buffer = Buffer.allocUnsafeSlow(COPY_CHUNK);
    const reflinks = new Reflinks();
    try {
      // Links are entries of the walk, never followed; FIFOs, sockets and devices are not copied.
      for await (const entry of walkSorted(point.location, { symlinks: true, signal: context.signal })) {
        const { target, folder } = landing(into, entry.bytes ?? entry.relative);
        await mkdir(folder, { recursive: true });
        if (entry.type === 'symlink') {
          const link = await readlink(entry.absolute, { encoding: 'buffer' });
          // latin1: one character a byte, so the path rules see the raw bytes.
          if (!landsInside((entry.bytes ?? Buffer.from(entry.relative)).toString('latin1'), link.toString('latin1'))) {
            throw new BackupError('SNAPSHOT_LINK_OUTSIDE_ROOT', `${path.join(point.location, entry.relative)} is a link to ${displayBytes(link)}, outside the snapshot: refused.`);
          }
          await symlink(link, target);
          continue;
        }
        const what = `the file ${path.join(point.location, entry.relative)}`;
        const size = await copyHashing(entry.absolute, target, { charge: (bytes) => budget.charge(bytes, what), digests, buffer, reflinks });
        progress.files++;
        progress.bytes += size;
        context.onProgress(progress);
      }
    } catch (err) {
      if (err instanceof BackupError || context.signal.aborted) throw err;
      throw new BackupError('SNAPSHOT_UNREADABLE', `The snapshot ${point.location} could not be copied: ${errorMessage(err)}`, { cause: err });
    }
    await digests.seal();
    return progress;
  }
}

/** Where an entry lands under `into`, and its folder: bytes when its name is not UTF-8. */
function landing(into: string, relative: string | Buffer): { target: string | Buffer; folder: string | Buffer } {
  if (typeof relative === 'string') {
    const target = path.join(into, relative);
    return { target, folder: path.dirname(target) };
  }
  const target = Buffer.concat([Buffer.from(`${into}/`), relative]);
  return { target, folder: target.subarray(0, target.lastIndexOf(0x2f)) };
}

/** A tar archive per restore point: .tar, .tar.gz/.tgz, and .tar.zst where this Node has zstd. */
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import * as tar from 'tar';
import { BackupError, InfrastructureError, errorMessage } from '../errors.ts';
import { landsInside, PathSource } from './path-source.ts';
import type { BackupSource, RestoreContext, RestorePoint, RestoreProgress } from './source.ts';

const ZSTD = /\.(tar\.zst|tzst)$/i;

export function zstdSupported(): boolean {
  return typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
}

export class TarSource extends PathSource implements BackupSource {
  readonly kind = 'tar';
  protected readonly pointType = 'file';

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    if (ZSTD.test(point.location) && !zstdSupported()) {
      throw new InfrastructureError('ZSTD_UNSUPPORTED', `${point.location} is zstd-compressed, and this Node.js has no zstd. Use Node.js 22.15 or newer.`);
    }
    const empty = await emptiness(point.location);
    if (empty) throw emptyArchive(point, empty);
    const progress: RestoreProgress = { files: 0, bytes: 0 };
    const refused: string[] = [];
    const extract = tar.x({
      cwd: context.sandbox.hostRestoreDir,
      strict: true,
      preserveOwner: false,
      filter: (entryPath, entry) => {
        const link = 'type' in entry && entry.type === 'SymbolicLink' ? entry.linkpath : undefined;
        const hardLink = 'type' in entry && entry.type === 'Link' ? entry.linkpath : undefined;
        if (!landsInside(entryPath, link) || (hardLink !== undefined && !landsInside(hardLink))) {
          refused.push(link ?? hardLink ? `${entryPath} -> ${link ?? hardLink}` : entryPath);
          return false;
        }
        if ('size' in entry && 'type' in entry && entry.type === 'File') {
          progress.files++;
          progress.bytes += entry.size ?? 0;
          context.onProgress(progress);
        }
        return true;
      },
    });
    const input = createReadStream(point.location);
    const stages: NodeJS.ReadWriteStream[] = ZSTD.test(point.location)
      ? [(zlib as unknown as { createZstdDecompress(): NodeJS.ReadWriteStream }).createZstdDecompress()]
      : [];
    try {
      await pipeline([input, ...stages, extract as unknown as NodeJS.WritableStream], { signal: context.signal });
    } catch (err) {
      if (context.signal.aborted) throw err;
      throw new BackupError('ARCHIVE_UNREADABLE', `The archive ${point.location} could not be read: ${errorMessage(err)}. It may be truncated or damaged.`, { cause: err });
    }
    if (refused.length > 0) {
      throw new BackupError(
        'ARCHIVE_ENTRY_OUTSIDE_ROOT',
        `The archive ${point.location} has ${refused.length} entr${refused.length === 1 ? 'y' : 'ies'} that would land outside the restore folder, refused: ${refused.slice(0, 10).join(', ')}`,
      );
    }
    if ((await readdir(context.sandbox.hostRestoreDir)).length === 0) throw emptyArchive(point, 'no entries');
    return progress;
  }
}

/** '0 bytes', or 'no entries' when the first block is the end-of-archive marker (zeros); else undefined. */
async function emptiness(file: string): Promise<string | undefined> {
  await using handle = await open(file);
  const { size } = await handle.stat();
  if (size === 0) return '0 bytes';
  const block = Buffer.alloc(512);
  const { bytesRead } = await handle.read(block, 0, 512, 0);
  return bytesRead === 512 && block.every((byte) => byte === 0) ? 'no entries' : undefined;
}

/** An archive that restores nothing: the backup job wrote no data (a FAIL, not a damaged archive). */
function emptyArchive(point: RestorePoint, what: string): BackupError {
  return new BackupError('ARCHIVE_EMPTY', `the archive ${point.location} is empty (${what}): it restores nothing. Check the backup job that writes it.`);
}

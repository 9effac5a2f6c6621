/** A tar archive per restore point: .tar, gzip-compressed, and zstd-compressed where this Node has zstd. */
import { createReadStream } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { BackupError, DrillError, InfrastructureError, errorMessage } from '../errors.ts';
import { recordDigestsFor } from '../manifest/known-digests.ts';
import { budgetOf } from '../sandboxes/restore-budget.ts';
import { PathSource } from './path-source.ts';
import { readAhead } from './read-ahead.ts';
import type { BackupSource, RestoreContext, RestorePoint, RestoreProgress } from './source.ts';
import { TarExtractor, type Refusals } from './tar-extract.ts';
import { readTar } from './tar-reader.ts';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const READ_CHUNK = 1024 * 1024;

export function zstdSupported(): boolean {
  return typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
}

export class TarSource extends PathSource implements BackupSource {
  readonly kind = 'tar';
  protected readonly pointType = 'file';

  async restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress> {
    const empty = await emptiness(point.location);
    if (empty) throw emptyArchive(point, empty);
    const decompress = await decompressorFor(point.location);
    const input = decompress ? createReadStream(point.location, { highWaterMark: READ_CHUNK, signal: context.signal }) : undefined;
    if (input && decompress) input.on('error', (err) => decompress.destroy(err));
    const stream = input && decompress ? input.pipe(decompress) : readAhead(point.location, context.signal);
    const digests = recordDigestsFor(context.sandbox);
    const extractor = new TarExtractor({ root: context.sandbox.hostRestoreDir, budget: budgetOf(context.sandbox), signal: context.signal, onProgress: context.onProgress, digests });
    let progress: RestoreProgress;
    try {
      progress = await extractor.extract(readTar(stream as AsyncIterable<Buffer>));
    } catch (err) {
      if (context.signal.aborted || err instanceof DrillError) throw err;
      throw new BackupError('ARCHIVE_UNREADABLE', `The archive ${point.location} could not be read: ${errorMessage(err)}. It may be truncated or damaged.`, { cause: err });
    } finally {
      input?.destroy();
      decompress?.destroy();
    }
    refuse(point.location, extractor.refused);
    if ((await readdir(context.sandbox.hostRestoreDir)).length === 0) throw emptyArchive(point, 'no entries');
    await digests.seal();
    return progress;
  }
}

/** '0 bytes', or 'no entries' when the first block is the end-of-archive marker (zeros); else undefined. */
async function emptiness(file: string): Promise<string | undefined> {
  const handle = await open(file).catch(() => undefined);
  if (!handle) return undefined; // unreadable: the extraction names why
  try {
    const { size } = await handle.stat();
    if (size === 0) return '0 bytes';
    const block = Buffer.alloc(512);
    const { bytesRead } = await handle.read(block, 0, 512, 0);
    return bytesRead === 512 && block.every((byte) => byte === 0) ? 'no entries' : undefined;
  } finally {
    await handle.close();
  }
}

/** An archive that restores nothing: the backup job wrote no data (a FAIL, not a damaged archive). */
function emptyArchive(point: RestorePoint, what: string): BackupError {
  return new BackupError('ARCHIVE_EMPTY', `the archive ${point.location} is empty (${what}): it restores nothing. Check the backup job that writes it.`);
}

/** Chosen by the archive's first bytes, not its name: a .tar may well be compressed. */
async function decompressorFor(file: string): Promise<Transform | undefined> {
  const head = Buffer.alloc(4);
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw new BackupError('ARCHIVE_UNREADABLE', `The archive ${file} cannot be opened: ${errorMessage(err)}`, { cause: err });
  });
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return zlib.createGunzip({ chunkSize: 256 * 1024 });
  if (head.equals(ZSTD_MAGIC)) {
    if (!zstdSupported()) throw new InfrastructureError('ZSTD_UNSUPPORTED', `${file} is zstd-compressed, and this Node.js has no zstd. Use Node.js 22.15 or newer.`);
    return (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress();
  }
  return undefined;
}

function refuse(archive: string, refused: Refusals): void {
  const list = (names: string[]) => `${names.length} entr${names.length === 1 ? 'y' : 'ies'}`;
  if (refused.throughLink.length > 0) {
    throw new BackupError(
      'ARCHIVE_ENTRY_THROUGH_LINK',
      `The archive ${archive} has ${list(refused.throughLink)} inside a folder that the archive itself made a symbolic link, refused (they could be written wherever the link points): ${refused.throughLink.slice(0, 10).join(', ')}`,
    );
  }
  if (refused.outside.length > 0) {
    throw new BackupError(
      'ARCHIVE_ENTRY_OUTSIDE_ROOT',
      `The archive ${archive} has ${list(refused.outside)} that would land outside the restore folder, refused: ${refused.outside.slice(0, 10).join(', ')}`,
    );
  }
}

/** Writes the manifest of a tree: sorted, in sha256sum format, hashed in parallel, written in order. */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { BackupError } from '../errors.ts';
import { HashFileError, type HashPool, type FileDigest } from './hash-pool.ts';
import { formatManifestLine } from './manifest-file.ts';
import type { PathKey } from './names.ts';
import { walkSorted } from './walk.ts';

export interface ManifestStats {
  files: number;
  bytes: number;
}

export async function writeManifest(
  root: string,
  out: Writable,
  pool: HashPool,
  onProgress?: (stats: ManifestStats) => void,
  signal?: AbortSignal,
): Promise<ManifestStats> {
  const stats: ManifestStats = { files: 0, bytes: 0 };
  // Hashes finish out of order; a window of pending files keeps the output sorted.
  const window: { key: PathKey; digest: Promise<FileDigest> }[] = [];
  const flushHead = async () => {
    const head = window.shift()!;
    const { digest, size } = await head.digest.catch((err: unknown) => {
      if (!(err instanceof HashFileError)) throw err;
      throw new BackupError('MANIFEST_FILE_UNREADABLE', `${head.key.relative} (in ${root}) could not be read for the manifest: ${err.message}`);
    });
    stats.files++;
    stats.bytes += size;
    onProgress?.(stats);
    if (!out.write(formatManifestLine(digest, head.key.relative, head.key.bytes))) await once(out, 'drain');
  };
  for await (const entry of walkSorted(root, { signal })) {
    const digest = pool.hash(entry.absolute);
    digest.catch(() => undefined); // awaited in order by flushHead
    window.push({ key: entry.bytes ? { relative: entry.relative, bytes: entry.bytes } : { relative: entry.relative }, digest });
    if (window.length >= pool.capacity) await flushHead();
  }
  while (window.length > 0) await flushHead();
  return stats;
}

/** Writes the manifest of a tree: sorted, in sha256sum format, hashed in parallel, written in order. */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { BackupError } from '../errors.ts';
import { HashFileError, type HashPool, type FileDigest } from './hash-pool.ts';
import { formatManifestLine } from './manifest-file.ts';
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
  const window: { relative: string; bytes?: Buffer; digest: Promise<FileDigest> }[] = [];
  const flushHead = async () => {
    const head = window.shift()!;
    let hashed: FileDigest;
    try {
      hashed = await head.digest;
    } catch (err) {
      if (!(err instanceof HashFileError)) throw err;
      throw new BackupError('MANIFEST_FILE_UNREADABLE', `${head.relative} (in ${root}) could not be read for the manifest: ${err.message}`);
    }
    stats.files++;
    stats.bytes += hashed.size;
    onProgress?.(stats);
    if (!out.write(formatManifestLine(hashed.digest, head.relative, head.bytes))) await once(out, 'drain');
  };
  for await (const entry of walkSorted(root, { signal })) {
    const digest = pool.hash(entry.absolute);
    digest.catch(() => undefined); // awaited in order by flushHead
    window.push({ relative: entry.relative, bytes: entry.bytes, digest });
    if (window.length >= pool.capacity) await flushHead();
  }
  while (window.length > 0) await flushHead();
  return stats;
}

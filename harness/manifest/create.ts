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
  /** Paths (relative to root) the manifest leaves out: its own, when it is written into root. */
  excluded?: (relative: string) => boolean,
): Promise<ManifestStats> {
  const stats: ManifestStats = { files: 0, bytes: 0 };
  // Hashes finish out of order; a window of pending files keeps the output sorted.
  const window: { relative: string; bytes?: Buffer; digest: Promise<FileDigest> }[] = [];
  const flushHead = async () => {
    const head = window.shift()!;
    let hashed: FileDigest;
    try {
      hashed = await untilAborted(head.digest, signal);
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
    if (excluded?.(entry.relative)) continue;
    const digest = pool.hash(entry.absolute);
    digest.catch(() => undefined); // awaited in order by flushHead
    window.push({ relative: entry.relative, bytes: entry.bytes, digest });
    if (window.length >= pool.capacity) await flushHead();
  }
  while (window.length > 0) await flushHead();
  return stats;
}

/** A stop does not wait for the file being hashed (gigabytes, maybe): the pool's owner ends the workers. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

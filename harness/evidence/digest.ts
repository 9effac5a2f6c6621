/** Digests for in-toto subjects: a file's sha256, a folder's dirHash. Both stream; memory stays flat. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeManifest } from '../manifest/create.ts';
import { HashPool } from '../manifest/hash-pool.ts';

/** An in-toto DigestSet: algorithm name to digest. */
export type DigestSet = Record<string, string>;

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

/**
 * The digest of a restore point: a file (an archive) gets its sha256; a folder (a snapshot) gets an
 * in-toto dirHash: the lowercase hex sha256 of its sha256sum-format listing (regular files, paths
 * sorted bytewise), as in-toto's DigestSet spec defines it, equal to
 *   find . -type f | cut -c3- | LC_ALL=C sort | xargs -r sha256sum | sha256sum
 * for names without spaces, backslashes or newlines.
 */
export async function digestOfPath(location: string, signal?: AbortSignal): Promise<DigestSet> {
  const info = await stat(location);
  if (info.isFile()) return { sha256: await sha256File(location, signal) };
  if (!info.isDirectory()) throw new Error(`${location} is neither a file nor a folder`);
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback();
    },
  });
  await using pool = new HashPool();
  await writeManifest(location, sink, pool, undefined, signal);
  return { dirHash: hash.digest('hex') };
}

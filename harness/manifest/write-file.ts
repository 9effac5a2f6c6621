/**
 * Writes a manifest file as a backup job needs it: atomically (a temporary file in the same folder,
 * fsync, rename over the old one, fsync of the folder), so that a failure, a full disk or a Ctrl-C
 * leaves the previous manifest or none, never half of one. Paths can be left out (--exclude); a
 * manifest written into the folder it describes leaves itself and its temporary file out.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { UsageError } from '../errors.ts';
import { writeManifest, type ManifestStats } from './create.ts';
import type { HashPool } from './hash-pool.ts';

export interface ManifestFileOptions {
  /** Paths relative to the folder (a file, or a folder and all below it) that the manifest leaves out. */
  exclude?: string[];
  signal?: AbortSignal;
}

export async function writeManifestFile(dir: string, output: string, pool: HashPool, options: ManifestFileOptions = {}): Promise<ManifestStats> {
  const realDir = await realpath(dir);
  const outputDir = await realpath(path.dirname(path.resolve(output))).catch(() => {
    throw new UsageError(`the folder of ${output} does not exist`);
  });
  const target = path.join(outputDir, path.basename(output));
  const temporary = path.join(outputDir, `.${path.basename(output)}.${randomBytes(6).toString('hex')}.partial`);
  const excluded = [...(options.exclude ?? []).map((each) => excludedPath(realDir, each)), insideOf(realDir, target), insideOf(realDir, temporary)];
  try {
    const out = createWriteStream(temporary, { flags: 'wx', mode: 0o644 });
    let stats: ManifestStats;
    try {
      stats = await writeManifest(realDir, out, pool, undefined, options.signal, exclusion(excluded));
    } finally {
      out.end();
      await finished(out);
    }
    await syncFile(temporary);
    options.signal?.throwIfAborted();
    await rename(temporary, target);
    await syncFile(outputDir);
    return stats;
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/** A predicate over relative paths: the path itself or anything below it is left out. */
export function exclusion(paths: (string | undefined)[]): ((relative: string) => boolean) | undefined {
  const set = new Set(paths.filter((p): p is string => p !== undefined));
  if (set.size === 0) return undefined;
  return (relative) => {
    if (set.has(relative)) return true;
    for (let slash = relative.indexOf('/'); slash >= 0; slash = relative.indexOf('/', slash + 1)) {
      if (set.has(relative.slice(0, slash))) return true;
    }
    return false;
  };
}

/** --exclude: relative to the folder described (absolute paths must lie inside it). */
function excludedPath(realDir: string, given: string): string {
  const relative = path.isAbsolute(given) ? insideOf(realDir, given) : path.posix.normalize(given.replace(/\/+$/, ''));
  if (relative === undefined || relative === '.' || relative.startsWith('../') || relative === '..') {
    throw new UsageError(`--exclude ${given}: expected a path inside ${realDir}, relative to it (like .restore-drill.sha256)`);
  }
  return relative;
}

function insideOf(realDir: string, file: string): string | undefined {
  const relative = path.relative(realDir, file);
  const outside = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outside ? undefined : relative.split(path.sep).join('/');
}

/** fsync: of the data before the rename; of the folder after it, which makes the rename durable. */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

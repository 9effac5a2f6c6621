/**
 * Compares a restored tree with its manifest as two sorted streams (a merge join), hashing the files
 * both sides have on the pool with a bounded number in flight: memory stays flat for millions of files.
 * A listed path that is a link, FIFO, socket or device in the tree is named as such, never read; links
 * and special files the manifest does not list are not part of it (it describes regular files).
 */
import { HashFileError, type HashPool } from './hash-pool.ts';
import { readManifestSortedRuns, type ManifestEntry } from './manifest-file.ts';
import { describeKind, linkTarget } from './safe-open.ts';
import { comparePathKeys, RunCursor, walkSortedRuns, type TreeEntry } from './walk.ts';

export type DifferenceKind = 'missing' | 'changed' | 'extra' | 'unreadable' | 'not-regular';

export interface Difference {
  kind: DifferenceKind;
  path: string;
  expected?: { digest: string };
  actual?: { digest?: string; size?: number };
  message?: string;
}

export interface CompareOptions {
  manifestFile: string;
  manifestName?: string;
  root: string;
  pool: HashPool;
  /** Whether files that the manifest does not list are a difference. */
  extra: 'allow' | 'forbid';
  onDifference(difference: Difference): void;
  onProgress?(progress: { files: number; bytes: number }): void;
  signal?: AbortSignal;
  /** Paths (relative to root) left out on both sides: a manifest carried in the tree it describes. */
  exclude?: ReadonlySet<string>;
}

export interface CompareStats {
  expectedFiles: number;
  verifiedFiles: number;
  verifiedBytes: number;
  extraFiles: number;
  differences: number;
}

export async function compareTree(options: CompareOptions): Promise<CompareStats> {
  const stats: CompareStats = { expectedFiles: 0, verifiedFiles: 0, verifiedBytes: 0, extraFiles: 0, differences: 0 };
  const report = (difference: Difference) => {
    stats.differences++;
    options.onDifference(difference);
  };
  const inFlight = new Set<Promise<void>>();
  const verify = (expected: ManifestEntry, actual: TreeEntry) => {
    const job = options.pool.hash(actual.absolute).then(
      ({ digest, size }) => {
        stats.verifiedFiles++;
        stats.verifiedBytes += size;
        options.onProgress?.({ files: stats.verifiedFiles, bytes: stats.verifiedBytes });
        if (digest !== expected.digest) report({ kind: 'changed', path: expected.relative, expected: { digest: expected.digest }, actual: { digest, size } });
      },
      (err: unknown) => {
        if (!(err instanceof HashFileError)) throw err;
        const kind = err.code === 'NOT_REGULAR' ? 'not-regular' : 'unreadable';
        report({ kind, path: expected.relative, expected: { digest: expected.digest }, message: err.message });
      },
    );
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const manifest = new RunCursor(without(readManifestSortedRuns(options.manifestFile, options.manifestName), options.exclude));
  const tree = new RunCursor(without(walkSortedRuns(options.root, { symlinks: true, special: true, signal: options.signal }), options.exclude));
  // The last link the walk passed: a listed file under it is missing because the link is not followed.
  let lastLink: { entry: TreeEntry; shown?: string } | undefined;
  for (;;) {
    const expected = await manifest.current();
    const actual = await tree.current();
    if (!expected && !actual) break;
    const order = !expected ? 1 : !actual ? -1 : comparePathKeys(expected, actual);
    if (order < 0) {
      stats.expectedFiles++;
      let under: string | undefined;
      if (lastLink && expected!.relative.startsWith(`${lastLink.entry.relative}/`)) {
        lastLink.shown ??= ` (${lastLink.entry.relative} is ${describeKind('symlink', await linkTarget(lastLink.entry.absolute))}, not followed)`;
        under = lastLink.shown;
      }
      report({ kind: 'missing', path: expected!.relative, expected: { digest: expected!.digest }, message: under });
      manifest.advance();
    } else if (order > 0) {
      if (actual!.type === 'symlink') lastLink = { entry: actual! };
      else if (actual!.type === 'file') {
        stats.extraFiles++;
        if (options.extra === 'forbid') report({ kind: 'extra', path: actual!.relative });
      }
      tree.advance();
    } else if (actual!.type !== 'file') {
      stats.expectedFiles++;
      const target = actual!.type === 'symlink' ? await linkTarget(actual!.absolute) : undefined;
      report({ kind: 'not-regular', path: expected!.relative, expected: { digest: expected!.digest }, message: `is ${describeKind(actual!.type, target)}, not a regular file: not read` });
      manifest.advance();
      tree.advance();
    } else {
      stats.expectedFiles++;
      verify(expected!, actual!);
      if (inFlight.size >= options.pool.capacity) {
        options.signal?.throwIfAborted();
        await Promise.race(inFlight);
      }
      manifest.advance();
      tree.advance();
    }
  }
  await Promise.all(inFlight);
  return stats;
}

/** The runs without the excluded paths (the runs themselves when nothing is excluded). */
function without<T extends { relative: string }>(runs: AsyncGenerator<T[]>, exclude: ReadonlySet<string> | undefined): AsyncGenerator<T[]> {
  if (!exclude || exclude.size === 0) return runs;
  return (async function* () {
    for await (const run of runs) {
      const kept = run.filter((entry) => !exclude.has(entry.relative));
      if (kept.length > 0) yield kept;
    }
  })();
}

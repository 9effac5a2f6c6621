/**
 * The indicators for one restore point without a full drill: restore it into a throwaway sandbox,
 * run the ransomware check, remove the sandbox. Used by `scan`, `find-clean` and `--point newest-clean`.
 */
import { checkThrew, type CheckResult } from '../checks/check.ts';
import type { RansomwareCheck } from '../checks/ransomware.ts';
import { DrillError } from '../errors.ts';
import type { RestorePoint } from '../sources/source.ts';
import type { PointManifests } from './point-manifests.ts';
import { restoreInto, type PointWork } from './restore-point.ts';

export interface ScanOptions {
  work: PointWork;
  /** All points, newest first: the previous point is the next one in this list. */
  points: RestorePoint[];
  check: RansomwareCheck;
  manifests: PointManifests;
  onProgress?(progress: { phase: 'restore' | 'scan'; files: number; bytes: number }): void;
}

export interface PointScan {
  point: RestorePoint;
  result: CheckResult;
  restored: { files: number; bytes: number };
}

/** Scans one point; with keepScratch (a newest-to-oldest walk) the previous point's restore is kept for its own scan. */
export async function scanPoint(point: RestorePoint, options: ScanOptions, keepScratch = false): Promise<PointScan> {
  const { work } = options;
  const restore =
    options.manifests.takeRestored(point) ??
    (await restoreInto(work, point, {
      name: `scan${options.points.findIndex((p) => p.id === point.id) + 1}`,
      onProgress: (p) => options.onProgress?.({ phase: 'restore', ...p }),
    }));
  try {
    const result = await options.check.run({
      sandbox: restore.sandbox,
      pool: work.pool,
      clock: work.clock,
      signal: work.signal,
      onProgress: (p) => options.onProgress?.({ phase: 'scan', ...p }),
      points: options.manifests.accessFor(point, options.points, keepScratch),
    });
    return { point, result, restored: restore.restored };
  } finally {
    await restore.dispose();
  }
}

export interface CleanSearch {
  /** The newest point with no indicator, if any. */
  clean?: PointScan;
  /** Newer points ruled out, newest first, each with the findings that ruled it out. */
  ruledOut: PointScan[];
}

/** Walks the points newest to oldest and stops at the first with no indicator. */
export async function findNewestClean(options: ScanOptions, onPoint?: (scan: PointScan) => void): Promise<CleanSearch> {
  const ruledOut: PointScan[] = [];
  try {
    for (const point of options.points) {
      const scan = await scanPoint(point, options, true).catch((err: unknown) => unrestorable(point, err, options.check));
      onPoint?.(scan);
      if (scan.result.status === 'pass') return { clean: scan, ruledOut };
      ruledOut.push(scan);
    }
    return { ruledOut };
  } finally {
    await options.manifests.releaseKept();
  }
}

/** A point that does not restore is no candidate either: it is ruled out with the reason. */
function unrestorable(point: RestorePoint, err: unknown, check: RansomwareCheck): PointScan {
  if (!(err instanceof DrillError) || err.kind !== 'backup') throw err;
  const message = `the point did not restore: ${err.message}`;
  const result = checkThrew(check, message, 'fail', [{ rule: 'restore-failed', subject: point.id, message }]);
  return { point, restored: { files: 0, bytes: 0 }, result };
}

/** One line per ruled-out point: what ruled it out. */
export function ruledOutLines(search: CleanSearch): string[] {
  return search.ruledOut.map((s) => `${s.point.id} ruled out: ${s.result.findings.map((f) => `[${f.rule}] ${f.message}`).join('; ') || s.result.summary}`);
}

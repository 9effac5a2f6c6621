/**
 * The indicators for one restore point without a full drill: restore it into a throwaway sandbox,
 * run the ransomware check, remove the sandbox. Used by `scan`, `find-clean` and `--point newest-clean`.
 */
import type { CheckResult } from '../checks/check.ts';
import type { RansomwareCheck } from '../checks/ransomware.ts';
import type { Clock } from '../clock.ts';
import { DrillError } from '../errors.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import type { SandboxSpec } from '../scenario/schema.ts';
import { backupPathsOf, type BackupSource, type RestorePoint } from '../sources/source.ts';
import type { PointManifests } from './point-manifests.ts';

export interface ScanPointOptions {
  source: BackupSource;
  /** All points, newest first: the previous point is the next one in this list. */
  points: RestorePoint[];
  check: RansomwareCheck;
  driver: SandboxDriver;
  sandboxSpec: SandboxSpec;
  scenario: string;
  runId: string;
  logDir: string;
  pool: HashPool;
  clock: Clock;
  signal: AbortSignal;
  manifests: PointManifests;
  onProgress?(progress: { phase: 'restore' | 'scan'; files: number; bytes: number }): void;
}

export interface PointScan {
  point: RestorePoint;
  result: CheckResult;
  restored: { files: number; bytes: number };
}

export async function scanPoint(point: RestorePoint, options: ScanPointOptions): Promise<PointScan> {
  // Walking newest to oldest, this point was restored already for the newer point's change rule.
  const kept = options.manifests.takeRestored(point);
  const sandbox =
    kept?.sandbox ??
    (await options.driver.provision({
      spec: options.sandboxSpec,
      backupPaths: backupPathsOf(options.source, point),
      scenario: options.scenario,
      runId: `${options.runId}-scan${options.points.findIndex((p) => p.id === point.id) + 1}`,
      logDir: options.logDir,
      signal: options.signal,
    }));
  try {
    const restored =
      kept?.restored ??
      (await options.source.restore(point, {
        sandbox,
        signal: options.signal,
        onProgress: (p) => options.onProgress?.({ phase: 'restore', ...p }),
      }));
    const result = await options.check.run({
      sandbox,
      pool: options.pool,
      clock: options.clock,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ phase: 'scan', ...p }),
      points: options.manifests.accessFor(point, options.points),
    });
    return { point, result, restored };
  } finally {
    await sandbox.dispose();
  }
}

export interface CleanSearch {
  /** The newest point with no indicator, if any. */
  clean?: PointScan;
  /** Newer points ruled out, newest first, each with the findings that ruled it out. */
  ruledOut: PointScan[];
}

/** Walks the points newest to oldest and stops at the first with no indicator. */
export async function findNewestClean(options: ScanPointOptions, onPoint?: (scan: PointScan) => void): Promise<CleanSearch> {
  const ruledOut: PointScan[] = [];
  options.manifests.keepRestored = true;
  try {
    for (const point of options.points) {
      const scan = await scanPoint(point, options).catch((err: unknown) => unrestorable(point, err));
      onPoint?.(scan);
      if (scan.result.status === 'pass') return { clean: scan, ruledOut };
      ruledOut.push(scan);
    }
    return { ruledOut };
  } finally {
    options.manifests.keepRestored = false;
    await options.manifests.releaseKept();
  }
}

/** A point that does not restore is no candidate either: it is ruled out with the reason. */
function unrestorable(point: RestorePoint, err: unknown): PointScan {
  if (!(err instanceof DrillError) || err.kind !== 'backup') throw err;
  const message = `the point did not restore: ${err.message}`;
  return {
    point,
    restored: { files: 0, bytes: 0 },
    result: { kind: 'ransomware', name: 'ransomware indicators', phase: 'verify', status: 'fail', summary: message, findings: [{ rule: 'restore-failed', subject: point.id, message }], findingCount: 1, durationMs: 0 },
  };
}

/** One line per ruled-out point: what ruled it out. */
export function ruledOutLines(search: CleanSearch): string[] {
  return search.ruledOut.map((s) => `${s.point.id} ruled out: ${s.result.findings.map((f) => `[${f.rule}] ${f.message}`).join('; ') || s.result.summary}`);
}

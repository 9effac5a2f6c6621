/** The source role: where a backup lives, which restore points it has, and how one is restored. */
import { BackupError, UsageError } from '../errors.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import { parseDuration } from '../units.ts';

export interface RestorePoint {
  id: string;
  time: Date;
  /** Host path of what this point restores from (an archive, a folder, a repository). */
  location: string;
  sizeBytes?: number;
  /** The machine the backup was taken on, and what it holds (restic snapshots, borg archives). */
  host?: string;
  paths?: string[];
  /** Restore only these paths of the point (a rotating sample chose them for this drill; see drill/sample-rotation.ts). */
  sample?: string[];
}

export interface RestoreProgress {
  files: number;
  bytes: number;
  /** What the restore could not recreate but did not make it fail (owners a sandbox may not set). */
  warnings?: string[];
}

export interface RestoreContext {
  sandbox: Sandbox;
  signal: AbortSignal;
  onProgress(progress: RestoreProgress): void;
}

export interface BackupSource {
  readonly kind: string;
  /** Host paths that must be visible (read-only) inside the sandbox, for any point. */
  readonly backupPaths: string[];
  /** Only what restoring this point reads (its archive, not the folder of its siblings); default backupPaths. */
  backupPathsFor?(point: RestorePoint): string[];
  /** Restore points, newest first. */
  points(signal?: AbortSignal): Promise<RestorePoint[]>;
  /** Restores a point into the sandbox's restore folder. Never writes to the backup. */
  restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress>;
  /**
   * Set when the scenario restores only a sample (some paths) of each point: the RTO forecast then
   * scales the sample's restore time up to the point's full size (totalSize).
   */
  readonly sample?: string[];
  /** The full size of a point, in bytes, as the backup tool reports it (for the RTO forecast). */
  totalSize?(point: RestorePoint, signal?: AbortSignal): Promise<number | undefined>;
  /** The paths of the entries directly in one folder of a point, as the tool names them (for a rotating sample). */
  listFolder?(point: RestorePoint, folder: string, signal?: AbortSignal): Promise<string[]>;
}

/** The host paths a sandbox restoring `point` must see: no more than the source reads. */
export function backupPathsOf(source: BackupSource, point: RestorePoint): string[] {
  return source.backupPathsFor?.(point) ?? source.backupPaths;
}

/**
 * latest, an id (or a unique prefix of one, like restic's short ids), the newest point at or before a
 * time, newest-clean: the newest point on which no ransomware indicator fires, or a point chosen at
 * random (with a recorded seed) among those taken within a window before the drill (drill/point-choice.ts).
 */
export type PointSelector = 'latest' | 'newest-clean' | { id: string } | { at: Date } | RandomWithin;

/** random-within:<duration>: `window` as written (30d), `windowMs` in milliseconds. */
export interface RandomWithin {
  randomWithin: { window: string; windowMs: number };
}

/** The selectors that name one point by themselves, without a search or a seed. */
export type DirectSelector = 'latest' | { id: string } | { at: Date };

export const RANDOM_WITHIN = 'random-within:';

/** Reads `latest`, an id, `at:<time>`, newest-clean or random-within:<duration> (as --point and source.point write them). */
export function parsePointSelector(text: string | undefined): PointSelector {
  if (text === 'newest-clean') return 'newest-clean';
  if (!text || text === 'latest') return 'latest';
  if (text.startsWith(RANDOM_WITHIN)) {
    const window = text.slice(RANDOM_WITHIN.length).trim();
    const windowMs = parseDuration(window);
    if (windowMs === undefined || windowMs <= 0) {
      throw new UsageError(`the restore point '${text}' has no valid duration after random-within: (write it like random-within:30d or random-within:12h)`);
    }
    return { randomWithin: { window, windowMs } };
  }
  if (text.startsWith('at:')) {
    const at = new Date(text.slice(3).trim());
    if (Number.isNaN(at.getTime())) {
      throw new UsageError(`the restore point '${text}' has no valid time after at: (write it like at:2026-11-24T03:00:00+09:00)`);
    }
    return { at };
  }
  return { id: text };
}

export function describeSelector(selector: PointSelector): string {
  if (selector === 'latest' || selector === 'newest-clean') return selector;
  if ('randomWithin' in selector) return `${RANDOM_WITHIN}${selector.randomWithin.window}`;
  return 'id' in selector ? selector.id : `at:${selector.at.toISOString()}`;
}

const MIN_PREFIX = 4;

/** Picks the restore point a drill uses from a newest-first list. */
export function selectPoint(points: RestorePoint[], selector: DirectSelector, where: string): RestorePoint {
  if (points.length === 0) {
    throw new BackupError('NO_RESTORE_POINT', `${where} has no restore point: the backup is empty or the path matches nothing.`);
  }
  if (selector === 'latest') return points[0]!;
  if ('at' in selector) {
    const found = points.find((p) => p.time.getTime() <= selector.at.getTime());
    if (!found) {
      const oldest = points[points.length - 1]!;
      throw new BackupError(
        'RESTORE_POINT_NOT_FOUND',
        `${where} has no restore point at or before ${selector.at.toISOString()}; the oldest is ${oldest.id} from ${oldest.time.toISOString()}. Run "restore-drill points" to list them all.`,
      );
    }
    return found;
  }
  const exact = points.find((p) => p.id === selector.id);
  if (exact) return exact;
  const prefixed = selector.id.length >= MIN_PREFIX ? points.filter((p) => p.id.startsWith(selector.id)) : [];
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) {
    throw new UsageError(`the restore point '${selector.id}' is ambiguous in ${where}: it starts ${prefixed.length} ids (${prefixed.slice(0, 3).map((p) => p.id).join(', ')}). Write more of the id.`);
  }
  const known = points.slice(0, 5).map((p) => p.id).join(', ');
  const tooShort = selector.id.length < MIN_PREFIX ? ` (an id prefix needs at least ${MIN_PREFIX} characters)` : '';
  throw new BackupError(
    'RESTORE_POINT_NOT_FOUND',
    `${where} has no restore point '${selector.id}'${tooShort}. Newest points: ${known}. Run "restore-drill points" to list them all.`,
  );
}

export function sortNewestFirst(points: RestorePoint[]): RestorePoint[] {
  return [...points].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
}

/** The source role: where a backup lives, which restore points it has, and how one is restored. */
import { BackupError } from '../errors.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';

export interface RestorePoint {
  id: string;
  time: Date;
  /** Host path of what this point restores from (an archive, a folder, a repository). */
  location: string;
  sizeBytes?: number;
}

export interface RestoreProgress {
  files: number;
  bytes: number;
}

export interface RestoreContext {
  sandbox: Sandbox;
  signal: AbortSignal;
  onProgress(progress: RestoreProgress): void;
}

export interface BackupSource {
  readonly kind: string;
  /** Host paths that must be visible (read-only) inside the sandbox. */
  readonly backupPaths: string[];
  /** Restore points, newest first. */
  points(signal?: AbortSignal): Promise<RestorePoint[]>;
  /** Restores a point into the sandbox's restore folder. Never writes to the backup. */
  restore(point: RestorePoint, context: RestoreContext): Promise<RestoreProgress>;
}

/** newest-clean: the newest point on which no ransomware indicator fires (resolved by the drill). */
export type PointSelector = 'latest' | 'newest-clean' | { id: string };

export function parsePointSelector(text: string | undefined): PointSelector {
  if (text === 'newest-clean') return 'newest-clean';
  return !text || text === 'latest' ? 'latest' : { id: text };
}

/** Picks the restore point a drill uses from a newest-first list. */
export function selectPoint(points: RestorePoint[], selector: PointSelector, where: string): RestorePoint {
  if (points.length === 0) {
    throw new BackupError('NO_RESTORE_POINT', `${where} has no restore point: the backup is empty or the path matches nothing.`);
  }
  if (selector === 'latest') return points[0]!;
  if (selector === 'newest-clean') {
    throw new BackupError('NEWEST_CLEAN_UNRESOLVED', `${where}: newest-clean must be resolved by scanning the points first (restore-drill find-clean).`);
  }
  const found = points.find((p) => p.id === selector.id);
  if (!found) {
    const known = points.slice(0, 5).map((p) => p.id).join(', ');
    throw new BackupError(
      'RESTORE_POINT_NOT_FOUND',
      `${where} has no restore point '${selector.id}'. Newest points: ${known}. Run "restore-drill points" to list them all.`,
    );
  }
  return found;
}

export function sortNewestFirst(points: RestorePoint[]): RestorePoint[] {
  return [...points].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
}

/**
 * Progress events of a drill: small (files, bytes and, where known, the total) and throttled to at
 * most four a second per phase, however often a source or the hashing reports.
 */
import type { BackupSource, RestorePoint, RestoreProgress } from '../sources/source.ts';
import type { DrillRef, Emit } from './events.ts';
import type { PhaseName } from './result.ts';

export const PROGRESS_INTERVAL_MS = 250;

export interface ProgressOptions {
  /** What the phase will have done when it ends, where known (the restore's size, the bytes to hash). */
  totalBytes?: number;
  now?: () => number;
}

export function throttledProgress(emit: Emit, drill: DrillRef, phase: PhaseName, options: ProgressOptions = {}): (progress: RestoreProgress) => void {
  const now = options.now ?? Date.now;
  let last: number | undefined;
  return ({ files, bytes }) => {
    const at = now();
    if (last !== undefined && at - last < PROGRESS_INTERVAL_MS) return;
    last = at;
    void emit({ type: 'progress', drill, phase, files, bytes, ...(options.totalBytes === undefined ? {} : { totalBytes: options.totalBytes }) });
  };
}

/**
 * The restore's size for its progress line, where it can be known: an uncompressed tar's own size,
 * else what the backup tool reports (restic's restore size, borg's original size) when `ask` allows
 * the tool call (a live terminal only: it costs time in the select phase, outside the RTO). A sample
 * restores only part of a point, so its total is not known.
 */
export async function restoreTotal(source: BackupSource, point: RestorePoint, ask: boolean, signal?: AbortSignal): Promise<number | undefined> {
  if (point.sample ?? source.sample) return undefined;
  if (source.kind === 'tar') return /\.tar$/i.test(point.location) ? point.sizeBytes : undefined;
  if (!ask || !source.totalSize) return undefined;
  return source.totalSize(point, signal).catch(() => undefined);
}

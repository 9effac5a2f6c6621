/**
 * The targets init proposes: an RPO from how often the backup runs (the usual gap between its points,
 * with a tenth more for a late job), an RTO of 4h. Both are placeholders the scenario says to edit:
 * only the BCP knows the real ones.
 */
import type { RestorePoint } from '../sources/source.ts';

const HOUR = 3_600_000;
export const DEFAULT_RTO = '4h';
/** A nightly backup, with room for a job that runs late. */
export const DEFAULT_RPO = '26h';

export interface ProposedTargets {
  rto: string;
  rpo: string;
  /** How the RPO was found, for the scenario's comment. */
  rpoReason: string;
}

/** points: newest first. */
export function proposeTargets(points: RestorePoint[]): ProposedTargets {
  const gap = usualGap(points);
  if (gap === undefined) return { rto: DEFAULT_RTO, rpo: DEFAULT_RPO, rpoReason: 'a nightly backup with room for a late job (fewer than two points tell nothing of how often it runs)' };
  // points minutes apart (a test, a manual run) say little of the schedule: an RPO under an hour is not proposed
  const rpo = roundUp(Math.max(gap * 1.1, HOUR));
  return { rto: DEFAULT_RTO, rpo, rpoReason: `the backup usually runs every ${roundUp(gap)} (the median gap between its points), with a tenth more for a late job, at least 1h` };
}

/** The median time between consecutive points, or undefined with fewer than two. */
export function usualGap(points: RestorePoint[]): number | undefined {
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(Math.abs(points[i - 1]!.time.getTime() - points[i]!.time.getTime()));
  const positive = gaps.filter((g) => g > 0).sort((a, b) => a - b);
  if (positive.length === 0) return undefined;
  return positive[Math.floor((positive.length - 1) / 2)]!;
}

/** A duration as a scenario writes it, rounded up: whole hours from 1h, whole minutes below. */
export function roundUp(ms: number): string {
  if (ms >= HOUR) return `${Math.ceil(ms / HOUR)}h`;
  return `${Math.max(1, Math.ceil(ms / 60_000))}m`;
}

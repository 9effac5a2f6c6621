/**
 * Rotating samples (`source.sample: { rotate: /archive/dicom/*, count: 2 }`): each drill restores a
 * different part of the point, so that a system too large to restore every month (a 4 TB PACS) is
 * covered part by part over the year. The parts are the entries of one folder of the point; each
 * run takes those restored longest ago (never restored first), remembering earlier runs from the
 * results folder's result.json files, and records what it chose and how much is now covered.
 */
import { BackupError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import type { BackupSource, RestorePoint } from '../sources/source.ts';
import { proves, readResults } from './history.ts';
import type { DrillResult, Verdict } from './result.ts';
import { rotatePattern } from './sample-pattern.ts';

/** Coverage counts what was restored and proven within this long before the drill. */
export const COVERAGE_WINDOW_MS = 365 * 86_400_000;

/** What the rotation chose, kept until the verdict is known (the coverage counts this run only if it proved). */
export interface SampleRotation {
  rotate: string;
  count: number;
  paths: string[];
  /** Every entry of the point matching the pattern. */
  candidates: string[];
  /** Candidates restored by an earlier run that proved its point, within the coverage window. */
  coveredBefore: string[];
  since: string;
}

/** result.json's `sample`: the paths this run restored and the coverage of the system. */
export interface SampleRecord {
  rotate: string;
  paths: string[];
  candidates: number;
  /** Candidates restored by a drill that proved its point since `since` (this one included when it did). */
  covered: number;
  /** covered / candidates, 0 to 1. */
  share: number;
  since: string;
}

export interface RotateInput {
  scenario: Scenario;
  source: BackupSource;
  point: RestorePoint;
  resultsRoot: string;
  now: Date;
  signal?: AbortSignal;
}

/** The point with the sample this run restores, and the rotation to record; the point unchanged without `sample:`. */
export async function rotateSample(input: RotateInput): Promise<{ point: RestorePoint; rotation?: SampleRotation; notes: string[] }> {
  const spec = rotationSpec(input.scenario);
  if (!spec || !input.source.listFolder) return { point: input.point, notes: [] };
  const pattern = rotatePattern(spec.rotate);
  const listed = await input.source.listFolder(input.point, pattern.folder, input.signal);
  const candidates = listed.filter((entry) => pattern.matches(entry.slice(entry.lastIndexOf('/') + 1)));
  if (candidates.length === 0) {
    throw new BackupError('SAMPLE_PATH_MISSING', `Restore point ${input.point.id} has nothing matching ${spec.rotate} (source.sample.rotate): ${listed.length} entr${listed.length === 1 ? 'y' : 'ies'} in ${pattern.folder}. Name the folder as the backup tool lists it ("restore-drill points" shows the point's paths).`);
  }
  const since = new Date(input.now.getTime() - COVERAGE_WINDOW_MS);
  const lastRestored = await restoredBefore(input, spec.rotate, since);
  const never = candidates.filter((c) => !lastRestored.has(c));
  const oldestFirst = candidates.filter((c) => lastRestored.has(c)).sort((a, b) => lastRestored.get(a)! - lastRestored.get(b)! || (a < b ? -1 : 1));
  const paths = [...never, ...oldestFirst].slice(0, spec.count);
  const coveredBefore = candidates.filter((c) => lastRestored.has(c));
  const rotation: SampleRotation = { rotate: spec.rotate, count: spec.count, paths, candidates, coveredBefore, since: since.toISOString() };
  const note = `sample: restoring ${paths.join(', ')} (${paths.length} of the ${candidates.length} entries matching ${spec.rotate}); ${coveredBefore.length} of them were restored by earlier drills since ${since.toISOString().slice(0, 10)}`;
  return { point: { ...input.point, sample: paths }, rotation, notes: [note] };
}

/** The coverage once the verdict is known: this run's paths count only when it proved its point. */
export function sampleRecord(rotation: SampleRotation, verdict: Verdict): SampleRecord {
  const covered = new Set(rotation.coveredBefore);
  if (proves(verdict)) for (const p of rotation.paths) covered.add(p);
  const total = rotation.candidates.length;
  return { rotate: rotation.rotate, paths: rotation.paths, candidates: total, covered: covered.size, share: total === 0 ? 0 : covered.size / total, since: rotation.since };
}

function rotationSpec(scenario: Scenario): { rotate: string; count: number } | undefined {
  const spec = scenario.spec.source;
  const inner = spec.kind === 'pgdump' ? spec.from : spec;
  return inner && 'sample' in inner ? inner.sample : undefined;
}

/** Each path's last restore (ms) by a drill of this scenario and pattern that proved its point since `since`. */
async function restoredBefore(input: RotateInput, rotate: string, since: Date): Promise<Map<string, number>> {
  const { results } = await readResults(input.resultsRoot, { scenario: input.scenario.spec.name });
  const last = new Map<string, number>();
  for (const result of results.filter((r) => rotatedBy(r, rotate) && proves(r.verdict))) {
    const at = Date.parse(result.startedAt);
    if (!(at >= since.getTime())) continue;
    for (const p of result.sample!.paths) last.set(p, Math.max(last.get(p) ?? 0, at));
  }
  return last;
}

function rotatedBy(result: DrillResult, rotate: string): boolean {
  return result.sample?.rotate === rotate && Array.isArray(result.sample.paths);
}

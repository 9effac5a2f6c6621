/**
 * The index's coverage column: of the points a system's backup keeps (its retention window, as the
 * last drill saw it), how many a drill proved; the oldest point ever proven; and, for rotating
 * samples, how much of the system drills restored in the last 12 months.
 */
import { proves } from '../../drill/history.ts';
import type { DrillResult } from '../../drill/result.ts';
import type { SampleRecord } from '../../drill/sample-rotation.ts';
import { html, type Html } from './html.ts';
import { STRINGS, formatDate } from './i18n.ts';
import type { Lang } from './lang.ts';

export interface PointCoverage {
  /** The points the backup held at the last drill that recorded them. */
  retained?: { count: number; oldest: string };
  /** Distinct points a drill proved (PASS or LATE) that are still within the retention window. */
  provenInRetention: number;
  oldestProven?: { id: string; time: string };
  /** The last run's rotating sample. */
  sample?: SampleRecord;
}

/** From a system's runs, oldest first. */
export function pointCoverage(runs: DrillResult[]): PointCoverage {
  const retained = runs.map((r) => r.restorePoint?.selection?.available).filter((a) => a !== undefined).at(-1);
  const proven = new Map<string, string>();
  for (const run of runs) if (run.restorePoint && proves(run.verdict)) proven.set(run.restorePoint.id, run.restorePoint.time);
  const oldest = [...proven.entries()].sort(([, a], [, b]) => Date.parse(a) - Date.parse(b))[0];
  const inRetention = retained ? [...proven.values()].filter((time) => Date.parse(time) >= Date.parse(retained.oldest)).length : 0;
  return {
    retained: retained && { count: retained.count, oldest: retained.oldest },
    provenInRetention: inRetention,
    oldestProven: oldest && { id: oldest[0], time: oldest[1] },
    sample: runs.at(-1)?.sample,
  };
}

export function coverageCell(coverage: PointCoverage, lang: Lang): Html {
  const t = STRINGS[lang];
  const { retained, oldestProven, sample } = coverage;
  const points = retained
    ? html`<span class="points-proven" data-proven="${coverage.provenInRetention}" data-retained="${retained.count}">${t.pointsInRetention(coverage.provenInRetention, retained.count)}</span><br><span class="muted">${t.retainedSince(formatDate(retained.oldest, lang))}</span>`
    : html`<span class="muted">${t.pointsNotRecorded}</span>`;
  const oldest = oldestProven
    ? html`<br>${t.oldestProven}: <code>${oldestProven.id}</code> (${formatDate(oldestProven.time, lang)})`
    : html`<br><span class="bad">${t.noPointProven}</span>`;
  const share = sample ? html`<br><span class="sample-coverage" data-covered="${sample.covered}" data-candidates="${sample.candidates}">${t.sampleCoverage(sample.covered, sample.candidates, Math.round(sample.share * 100), sample.rotate)}</span>` : '';
  return html`${points}${oldest}${share}`;
}

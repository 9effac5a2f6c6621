/**
 * Which restore point a drill restores: one small strategy per kind of selector (latest, an id,
 * at:<time>, newest-clean, random-within:<duration>), each answering the point, how it was selected
 * (recorded in result.json) and the notes that explain the choice.
 */
import { ransomwareCheckFor } from '../checks/ransomware-factory.ts';
import { BackupError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import { describeSelector, selectPoint, sourceWhere, type PointSelector, type RestorePoint } from '../sources/index.ts';
import type { RandomWithin } from '../sources/source.ts';
import { formatDuration } from '../units.ts';
import type { PointManifests } from './point-manifests.ts';
import type { PointWork } from './restore-point.ts';
import { findNewestClean, ruledOutLines } from './scan-point.ts';
import { newSeed, pickIndex } from './seeded-random.ts';

/** How the point was selected, as result.json records it (restorePoint.selection). */
export interface PointSelection {
  /** The selector as written (latest, an id, at:…, newest-clean, random-within:30d). */
  selector: string;
  /** random-within: the seed of the choice (`run --seed` repeats it) and how many points it was among. */
  seed?: number;
  candidates?: number;
  /** newest-clean: the time spent finding the clean point, the points ruled out and the restores made to judge them. */
  cleanSearch?: { durationMs: number; ruledOut: number; restores: number };
  /** The points the backup held at the drill (its retention window), for the index's coverage of points. */
  available?: { count: number; oldest: string; newest: string };
}

export interface PointChoice {
  point: RestorePoint;
  selection: PointSelection;
  notes: string[];
}

export interface PointStrategy {
  /** Chooses from the points, newest first. */
  choose(points: RestorePoint[]): Promise<PointChoice>;
}

export interface ChoiceContext {
  scenario: Scenario;
  work: PointWork;
  manifests: () => PointManifests;
  /** The seed of a random choice (run --seed); without it, a fresh one. */
  seed?: number;
  /** When the drill started: a random-within window ends here. */
  now: Date;
}

export function pointStrategy(selector: PointSelector, context: ChoiceContext): PointStrategy {
  const strategy = strategyFor(selector, context);
  return {
    async choose(points) {
      const choice = await strategy.choose(points);
      return { ...choice, selection: { ...choice.selection, available: availableOf(points) } };
    },
  };
}

function availableOf(points: RestorePoint[]): PointSelection['available'] {
  if (points.length === 0) return undefined;
  return { count: points.length, oldest: points[points.length - 1]!.time.toISOString(), newest: points[0]!.time.toISOString() };
}

function strategyFor(selector: PointSelector, context: ChoiceContext): PointStrategy {
  if (selector === 'newest-clean') return newestClean(context);
  if (typeof selector === 'object' && 'randomWithin' in selector) return randomWithin(selector, context);
  const where = sourceWhere(context.scenario);
  return { choose: async (points) => ({ point: selectPoint(points, selector, where), selection: { selector: describeSelector(selector) }, notes: [] }) };
}

/**
 * A point chosen at random among those taken within the window before the drill, by a seeded
 * generator: the same seed over the same points chooses the same point.
 */
function randomWithin(selector: RandomWithin, { scenario, seed = newSeed(), now }: ChoiceContext): PointStrategy {
  const written = describeSelector(selector);
  const { window, windowMs } = selector.randomWithin;
  return {
    async choose(points) {
      const where = sourceWhere(scenario);
      if (points.length === 0) return { point: selectPoint(points, 'latest', where), selection: { selector: written }, notes: [] };
      const since = now.getTime() - windowMs;
      const candidates = points.filter((p) => p.time.getTime() >= since);
      if (candidates.length === 0) {
        const newest = points[0]!;
        throw new BackupError(
          'NO_POINT_IN_WINDOW',
          `${where} has no restore point taken within the last ${window} (${written}): the newest, ${newest.id}, is ${formatDuration(now.getTime() - newest.time.getTime())} old (${newest.time.toISOString()}). The backups may have stopped; "restore-drill points ${scenario.displayPath}" lists them all, or widen the window.`,
        );
      }
      const point = candidates[pickIndex(seed, candidates.length)]!;
      const note = `${written}: chose ${point.id} (${point.time.toISOString()}), one of ${candidates.length} point${candidates.length === 1 ? '' : 's'} taken within ${window}, with seed ${seed} ("run --seed ${seed}" repeats the choice)`;
      return { point, selection: { selector: written, seed, candidates: candidates.length }, notes: [note] };
    },
  };
}

/** The newest point on which no ransomware indicator fires, found by scanning newest to oldest. */
function newestClean({ scenario, work, manifests }: ChoiceContext): PointStrategy {
  return {
    async choose(points) {
      // An empty list gets the same message as any other selector.
      if (points.length === 0) return { point: selectPoint(points, 'latest', sourceWhere(scenario)), selection: { selector: 'newest-clean' }, notes: [] };
      const started = work.clock.monotonic();
      const restoresBefore = work.tally?.restores ?? 0;
      const search = await findNewestClean({ work, points, check: ransomwareCheckFor(scenario), manifests: manifests() });
      // Beside the RTO (the select phase is not part of it): the time to clean recovery a hospital also waits through.
      const cleanSearch = { durationMs: Math.round(work.clock.monotonic() - started), ruledOut: search.ruledOut.length, restores: (work.tally?.restores ?? 0) - restoresBefore };
      const notes = ruledOutLines(search).map((line) => `newest-clean: ${line}`);
      if (!search.clean) {
        throw new BackupError(
          'NO_CLEAN_POINT',
          `${sourceWhere(scenario)} has no clean restore point: all ${points.length} fired ransomware indicators. ${notes.slice(0, 3).join(' ')} Run "restore-drill find-clean ${scenario.displayPath}" for the findings of each.`,
        );
      }
      notes.push(`newest-clean: chose ${search.clean.point.id}, the newest point on which no ransomware indicator fired (${search.clean.result.summary})`);
      notes.push(`newest-clean: finding it took ${formatDuration(cleanSearch.durationMs)} (${cleanSearch.ruledOut} point${cleanSearch.ruledOut === 1 ? '' : 's'} ruled out, ${cleanSearch.restores} restore${cleanSearch.restores === 1 ? '' : 's'}), outside the RTO`);
      return { point: search.clean.point, selection: { selector: 'newest-clean', cleanSearch }, notes };
    },
  };
}

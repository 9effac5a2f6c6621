/**
 * Which restore point a drill restores: one small strategy per kind of selector (latest, an id,
 * at:<time>, newest-clean), each answering the point and the notes that explain the choice.
 */
import { ransomwareCheckFor } from '../checks/ransomware-factory.ts';
import { BackupError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import { selectPoint, sourceWhere, type PointSelector, type RestorePoint } from '../sources/index.ts';
import type { PointManifests } from './point-manifests.ts';
import type { PointWork } from './restore-point.ts';
import { findNewestClean, ruledOutLines } from './scan-point.ts';

export interface PointChoice {
  point: RestorePoint;
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
}

export function pointStrategy(selector: PointSelector, context: ChoiceContext): PointStrategy {
  if (selector === 'newest-clean') return newestClean(context);
  const where = sourceWhere(context.scenario);
  return { choose: async (points) => ({ point: selectPoint(points, selector, where), notes: [] }) };
}

/** The newest point on which no ransomware indicator fires, found by scanning newest to oldest. */
function newestClean({ scenario, work, manifests }: ChoiceContext): PointStrategy {
  return {
    async choose(points) {
      // An empty list gets the same message as any other selector.
      if (points.length === 0) return { point: selectPoint(points, 'latest', sourceWhere(scenario)), notes: [] };
      const search = await findNewestClean({ work, points, check: ransomwareCheckFor(scenario), manifests: manifests() });
      const notes = ruledOutLines(search).map((line) => `newest-clean: ${line}`);
      if (!search.clean) {
        throw new BackupError(
          'NO_CLEAN_POINT',
          `${sourceWhere(scenario)} has no clean restore point: all ${points.length} fired ransomware indicators. ${notes.slice(0, 3).join(' ')} Run "restore-drill find-clean ${scenario.displayPath}" for the findings of each.`,
        );
      }
      notes.push(`newest-clean: chose ${search.clean.point.id}, the newest point on which no ransomware indicator fired (${search.clean.result.summary})`);
      return { point: search.clean.point, notes };
    },
  };
}

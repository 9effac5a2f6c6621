/** `--point newest-clean` inside a drill: the point is chosen by scanning, and the notes say why. */
import { ransomwareCheckFor } from '../checks/ransomware-factory.ts';
import type { Clock } from '../clock.ts';
import { BackupError } from '../errors.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import type { Scenario } from '../scenario/load.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import { sourceWhere } from '../sources/index.ts';
import type { BackupSource, RestorePoint } from '../sources/source.ts';
import { PointManifests } from './point-manifests.ts';
import { findNewestClean, ruledOutLines } from './scan-point.ts';

export interface DrillDeps {
  driver: SandboxDriver;
  pool: HashPool;
  clock: Clock;
  signal: AbortSignal;
  runId: string;
  logDir: string;
}

/** The manifests helper a drill shares between the newest-clean search and its ransomware check. */
export function pointManifestsFor(scenario: Scenario, source: BackupSource, deps: DrillDeps): PointManifests {
  return new PointManifests({
    source,
    driver: deps.driver,
    sandboxSpec: scenario.spec.sandbox,
    scenario: scenario.spec.name,
    runId: deps.runId,
    logDir: deps.logDir,
    pool: deps.pool,
    signal: deps.signal,
    subPath: scenario.spec.expect.ransomware?.path,
  });
}

export async function resolveNewestClean(
  scenario: Scenario,
  source: BackupSource,
  points: RestorePoint[],
  manifests: PointManifests,
  deps: DrillDeps,
): Promise<{ point: RestorePoint; notes: string[] }> {
  const search = await findNewestClean({
    source,
    points,
    check: ransomwareCheckFor(scenario),
    driver: deps.driver,
    sandboxSpec: scenario.spec.sandbox,
    scenario: scenario.spec.name,
    runId: deps.runId,
    logDir: deps.logDir,
    pool: deps.pool,
    clock: deps.clock,
    signal: deps.signal,
    manifests,
  });
  const notes = ruledOutLines(search).map((line) => `newest-clean: ${line}`);
  if (!search.clean) {
    throw new BackupError(
      'NO_CLEAN_POINT',
      `${sourceWhere(scenario)} has no clean restore point: all ${points.length} fired ransomware indicators. ${notes.slice(0, 3).join(' ')} Run "restore-drill find-clean ${scenario.displayPath}" for the findings of each.`,
    );
  }
  notes.push(`newest-clean: chose ${search.clean.point.id}, the newest point on which no ransomware indicator fired (${search.clean.result.summary})`);
  return { point: search.clean.point, notes };
}

/**
 * Makes the manifest of the point before `point` ahead of time when a ransomware check will compare
 * with it, so that the scratch restore it needs is timed in the select phase and not in the RTO.
 */
export async function prepareChangeBaseline(
  scenario: Scenario,
  checks: { kind: string }[],
  points: RestorePoint[],
  point: RestorePoint,
  manifests: () => PointManifests,
): Promise<void> {
  if (!checks.some((c) => c.kind === 'ransomware') || scenario.spec.expect.ransomware?.change === false) return;
  const index = points.findIndex((p) => p.id === point.id);
  const previous = index >= 0 ? points[index + 1] : undefined;
  if (previous) await manifests().manifestOf(previous);
}

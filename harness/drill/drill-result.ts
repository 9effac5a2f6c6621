/** Turns what a drill reached into its result.json document: verdict, RTO/RPO, phases, checks. */
import os from 'node:os';
import type { CheckResult } from '../checks/check.ts';
import type { DrillError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import type { BackupSource, RestorePoint } from '../sources/source.ts';
import { VERSION } from '../version.ts';
import type { DrillRef } from './events.ts';
import type { DeclaredAccess } from './access.ts';
import { emulatedRtoNotes } from './emulated-rto.ts';
import { forecastRto } from './forecast.ts';
import { controlNotReached } from './negative-control.ts';
import type { PointSelection } from './point-choice.ts';
import { sampleRecord, type SampleRotation } from './sample-rotation.ts';
import { RESULT_SCHEMA, type DrillResult, type NegativeControl, type PhaseName, type PhaseRecord, type TargetMeasure } from './result.ts';
import type { RestoredPoint } from './restore-point.ts';
import { decideVerdict } from './verdict.ts';

/** What the pipeline got to before it ended, however it ended. */
export interface Reached {
  source?: BackupSource;
  point?: RestorePoint;
  /** How the point was selected (the selector, a random choice's seed). */
  selection?: PointSelection;
  /** The rotating sample chosen for this drill (source.sample). */
  sample?: SampleRotation;
  sandbox?: Sandbox;
  restore?: RestoredPoint;
  checks: CheckResult[];
  notes: string[];
  /** True once the last readiness check passed (or there was none): the RTO then has an end. */
  ready: boolean;
  /** The negative control, once it ran or was decided not to run. */
  control?: NegativeControl;
  /** A declared wait to reach an offline copy (access.wait): added to the RTO, not measured. */
  declaredAccess?: DeclaredAccess;
}

export interface ResultInput {
  scenario: Scenario;
  drill: DrillRef;
  startedAt: Date;
  endedAt: Date;
  resultsDir: string;
  phases: PhaseRecord[];
  reached: Reached;
  error?: DrillError;
  /** Notes of the run (driver fallbacks, leftovers removed), before the drill's own. */
  notes: string[];
}

/** The RTO is the time of these phases together: a hospital waits through each of them. */
const RTO_PHASES: PhaseName[] = ['access', 'restore', 'verify', 'ready'];
const RTO_MEASURED = 'from the start of the restore to the last readiness check passing';
const RPO_MEASURED = 'from the restore point time to the start of the drill';

export function buildResult(input: ResultInput): DrillResult {
  const { scenario, reached, error } = input;
  const spec = scenario.spec;
  const point = reached.point;
  const rpoActual = point ? input.startedAt.getTime() - point.time.getTime() : undefined;
  const declared = reached.declaredAccess;
  const rtoActual = reached.ready ? sumOf(input.phases, RTO_PHASES) + (declared?.ms ?? 0) : undefined;
  const rpo = measure(spec.targets.rpo, rpoActual, RPO_MEASURED);
  const rto = { ...measure(spec.targets.rto, rtoActual, declared ? `${RTO_MEASURED}, plus the declared wait to reach the offline copy (${declared.why})` : RTO_MEASURED), forecast: forecast(input, rtoActual), declaredMs: declared?.ms };
  const { verdict, reason } = decideVerdict({ error, checks: reached.checks, rto, rpo });
  return {
    schema: RESULT_SCHEMA,
    runId: input.drill.runId,
    scenario: { name: spec.name, system: spec.system, file: scenario.displayPath, digest: scenario.digest },
    verdict,
    reason,
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    restorePoint: point && {
      id: point.id,
      time: point.time.toISOString(),
      location: point.location,
      sizeBytes: point.sizeBytes,
      sourceKind: spec.source.kind,
      host: point.host,
      paths: point.paths,
      selection: reached.selection,
    },
    restored: reached.restore?.restored,
    sample: reached.sample && sampleRecord(reached.sample, verdict),
    rpo,
    rto,
    drillIntervalMs: spec.targets.drill_interval,
    phases: input.phases,
    checks: reached.checks,
    negativeControl: controlNotReached(scenario, reached),
    sandbox: reached.sandbox && { driver: reached.sandbox.driver, isolation: reached.sandbox.isolation, description: reached.sandbox.description },
    error: error && { code: error.code, kind: error.kind, message: error.message },
    host: { hostname: os.hostname(), user: userName(), platform: `${os.platform()} ${os.release()}` },
    tools: { 'restore-drill': VERSION, node: process.version },
    resultsDir: input.resultsDir,
    notes: [...input.notes, ...reached.notes, ...emulatedRtoNotes(reached.sandbox)],
  };
}

function forecast(input: ResultInput, measuredRtoMs: number | undefined) {
  const { reached } = input;
  const sample = reached.point?.sample ?? reached.source?.sample;
  const restore = reached.restore;
  const totalBytes = reached.point?.sizeBytes;
  if (!sample || !restore || measuredRtoMs === undefined || totalBytes === undefined) return undefined;
  return forecastRto({
    samplePaths: sample,
    sampleBytes: restore.restored.bytes,
    sampleFiles: restore.restored.files,
    sampleRestoreMs: restore.restoreMs,
    measuredRtoMs,
    totalBytes,
    targetMs: input.scenario.spec.targets.rto,
  });
}

function sumOf(phases: PhaseRecord[], names: PhaseName[]): number {
  return phases.filter((p) => names.includes(p.name)).reduce((total, p) => total + p.durationMs, 0);
}

function measure(targetMs: number | undefined, actualMs: number | undefined, measured: string): TargetMeasure {
  const ok = targetMs !== undefined && actualMs !== undefined ? actualMs <= targetMs : undefined;
  return { targetMs, actualMs: actualMs === undefined ? undefined : Math.round(actualMs), ok, measured };
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

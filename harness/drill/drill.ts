/**
 * One drill, as the pipeline it is: select the restore point, provision a sandbox and restore into it,
 * verify, wait for readiness; then tear down what was set up, in reverse, on every path. Each phase
 * hands the next what it needs (point → restored sandbox → check results) and is timed by the
 * task runner on the monotonic clock.
 */
import path from 'node:path';
import { checkThrew, createChecks, type Check, type CheckResult } from '../checks/index.ts';
import type { Clock } from '../clock.ts';
import { DrillError, InterruptedError, asDrillError } from '../errors.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import type { Scenario } from '../scenario/load.ts';
import { resolveSecrets, type Secrets } from '../scenario/secrets.ts';
import type { Sandbox, SandboxDriver } from '../sandboxes/sandbox.ts';
import { createSource, parsePointSelector, scenarioPoint, type BackupSource, type PointSelector, type RestorePoint } from '../sources/index.ts';
import { fingerprintBackup, type BackupFingerprint } from '../sources/fingerprint.ts';
import { accessPhase } from './access.ts';
import { buildResult, type Reached } from './drill-result.ts';
import type { DrillRef, Emit } from './events.ts';
import { pointStrategy } from './point-choice.ts';
import { negativeControlPhase } from './negative-control.ts';
import { PointManifests, prepareChangeBaseline } from './point-manifests.ts';
import type { DrillResult } from './result.ts';
import { restoreInto, pointWork, type PointWork } from './restore-point.ts';
import { rotateSample } from './sample-rotation.ts';
import { newRunId } from './run-id.ts';
import { restoreTotal, throttledProgress } from './progress.ts';
import { runRestoreSteps } from './restore-steps.ts';
import { TaskRunner, type PhaseOutcome } from './task-runner.ts';

export interface DrillOptions {
  driver: SandboxDriver;
  resultsRoot: string;
  /** The point asked for on the command line; without it, the scenario's source.point, else latest. */
  point?: PointSelector;
  /** The seed of a random-within choice (run --seed); without it, a fresh one, recorded in the result. */
  seed?: number;
  pool: HashPool;
  clock: Clock;
  signal: AbortSignal;
  emit: Emit;
  /** Lines to put in the result's notes (driver fallbacks, leftovers removed). */
  notes?: string[];
  env?: NodeJS.ProcessEnv;
  /** Seams for tests: how the source and the checks are made from the scenario. */
  sourceFor?: (scenario: Scenario) => BackupSource;
  checksFor?: (scenario: Scenario) => Check[];
  /** Find the restore's size for the progress line even where it costs a tool call (a live terminal watches). */
  progressTotals?: boolean;
}

export async function runDrill(scenario: Scenario, options: DrillOptions): Promise<DrillResult> {
  const startedAt = options.clock.now();
  const drill: DrillRef = { runId: newRunId(startedAt), scenario: scenario.spec.name };
  const resultsDir = path.resolve(options.resultsRoot, scenario.spec.name, drill.runId);
  const runner = new TaskRunner({ clock: options.clock, emit: options.emit, drill, signal: options.signal });
  const reached: Reached = { checks: [], notes: [], ready: false };
  await options.emit({ type: 'drill:start', drill, file: scenario.displayPath });
  let failure: DrillError | undefined;
  const guard: BackupGuard = {};
  try {
    await pipeline({ scenario, options, drill, runner, reached, guard, logDir: path.join(resultsDir, 'logs') });
  } catch (err) {
    failure = options.signal.aborted ? new InterruptedError() : asDrillError(err);
  }
  const teardownErrors = await runner.unwind();
  for (const err of teardownErrors) reached.notes.push(`teardown: ${err.message}`);
  failure ??= teardownFailure(teardownErrors);
  // A backup changed by the drill outweighs every other outcome: no verdict of it can be trusted.
  failure = (await guard.print?.changes()) ?? failure;
  const result = buildResult({ scenario, drill, startedAt, endedAt: options.clock.now(), resultsDir, phases: runner.phases, reached, error: failure, notes: options.notes ?? [] });
  await options.emit({ type: 'drill:end', drill, result });
  return result;
}

interface Pipeline {
  scenario: Scenario;
  options: DrillOptions;
  drill: DrillRef;
  runner: TaskRunner;
  reached: Reached;
  guard: BackupGuard;
  logDir: string;
}

/** The backup's fingerprint, taken before any sandbox can see it and compared after the teardown. */
interface BackupGuard {
  print?: BackupFingerprint;
}

async function pipeline(p: Pipeline): Promise<void> {
  const { scenario, options, runner, reached } = p;
  const secrets = await resolveSecrets(scenario, options.env);
  const checks = (options.checksFor ?? createChecks)(scenario);
  const source = options.sourceFor ? options.sourceFor(scenario) : createSource(scenario, options.env);
  const work = pointWork(scenario, source, { ...options, runId: p.drill.runId, logDir: p.logDir });
  const manifests = lazyManifests(scenario, work, runner);

  reached.declaredAccess = await accessPhase(scenario, runner, options.signal);
  const { point, points, restoreBytes } = await runner.phase('select', async () => {
    p.guard.print = await fingerprintBackup(source.backupPaths, { signal: options.signal, resultsRoot: options.resultsRoot });
    const chosen = await select(p, work, checks, manifests);
    return { ...chosen, restoreBytes: await restoreTotal(source, chosen.point, options.progressTotals ?? false, options.signal) };
  });
  reached.point = point;
  reached.source = source;
  const restore = await restoreInto(work, point, {
    timed: runner.phase,
    onProgress: throttledProgress(options.emit, p.drill, 'restore', { totalBytes: restoreBytes, now: () => options.clock.monotonic() }),
    onProvisioned: (sandbox) => {
      reached.sandbox = sandbox;
      runner.defer('the sandbox could not be removed', () => sandbox.dispose());
    },
    afterRestore: (sandbox) => runRestoreSteps(scenario, sandbox, secrets, options.signal),
  });
  reached.restore = restore;
  for (const phase of ['verify', 'ready'] as const) {
    const ofPhase = checks.filter((c) => c.phase === phase);
    if (ofPhase.length > 0) await runner.judged(phase, () => runChecks(p, ofPhase, restore.sandbox, manifests().accessFor(point, points)));
  }
  reached.ready = true;
  await negativeControlPhase({ scenario, work, runner, reached, restored: restore.sandbox, checksFor: options.checksFor ?? createChecks });
}

/** The select phase: the points, the one chosen (with why), its full size for a forecast, the change baseline. */
async function select(p: Pipeline, work: PointWork, checks: Check[], manifests: () => PointManifests): Promise<{ point: RestorePoint; points: RestorePoint[] }> {
  const { scenario, options, reached } = p;
  const points = await work.source.points(options.signal);
  const selector = options.point ?? parsePointSelector(scenarioPoint(scenario));
  const chosen = await pointStrategy(selector, { scenario, work, manifests, seed: options.seed, now: options.clock.now() }).choose(points);
  reached.notes.push(...chosen.notes);
  reached.selection = chosen.selection;
  const rotated = await rotateSample({ scenario, source: work.source, point: chosen.point, resultsRoot: options.resultsRoot, now: options.clock.now(), signal: options.signal });
  reached.sample = rotated.rotation;
  reached.notes.push(...rotated.notes);
  const point = await withTotalSize(work.source, rotated.point, options.signal, reached.notes);
  // The ransomware check's change rule needs the previous point's manifest: made here, outside the RTO.
  await prepareChangeBaseline(scenario, checks, points, point, manifests);
  return { point, points };
}

/** A sample restore's point gets its full size, which the RTO forecast scales the sample up to. */
async function withTotalSize(source: BackupSource, point: RestorePoint, signal: AbortSignal, notes: string[]): Promise<RestorePoint> {
  if (!(point.sample ?? source.sample) || !source.totalSize) return point;
  try {
    const total = await source.totalSize(point, signal);
    return total === undefined ? point : { ...point, sizeBytes: total };
  } catch (err) {
    notes.push(`the size of restore point ${point.id} could not be read, so no RTO forecast: ${asDrillError(err).message}`);
    return point;
  }
}

async function runChecks(p: Pipeline, checks: Check[], sandbox: Sandbox, points: ReturnType<PointManifests['accessFor']>): Promise<PhaseOutcome> {
  let outcome: PhaseOutcome = 'passed';
  for (const check of checks) {
    const result = await runCheck(p, check, sandbox, points);
    p.reached.checks.push(result);
    await p.options.emit({ type: 'check:result', drill: p.drill, result });
    if (result.status !== 'pass') outcome = 'failed';
  }
  return outcome;
}

async function runCheck(p: Pipeline, check: Check, sandbox: Sandbox, points: ReturnType<PointManifests['accessFor']>): Promise<CheckResult> {
  const { options } = p;
  try {
    return await check.run({
      sandbox,
      pool: options.pool,
      clock: options.clock,
      signal: options.signal,
      // The files check hashes what the restore wrote: its bytes are the total to hash.
      onProgress: throttledProgress(options.emit, p.drill, check.phase, { totalBytes: check.kind === 'files' ? p.reached.restore?.restored.bytes : undefined, now: () => options.clock.monotonic() }),
      points,
    });
  } catch (err) {
    const error = asDrillError(err);
    // The backup's own fault, or a stop, ends the drill; anything else is this check's ERROR.
    if (options.signal.aborted || error.kind === 'backup') throw error;
    return checkThrew(check, error.message);
  }
}

/** Point manifests are made only when a check compares points (ransomware); removed in the teardown. */
function lazyManifests(scenario: Scenario, work: PointWork, runner: TaskRunner): () => PointManifests {
  let manifests: PointManifests | undefined;
  return () => {
    if (!manifests) {
      const made = new PointManifests(work, scenario.spec.expect.ransomware?.path);
      runner.defer('the point manifests could not be removed', () => made.dispose());
      manifests = made;
    }
    return manifests;
  };
}

function teardownFailure(errors: Error[]): DrillError | undefined {
  if (errors.length === 0) return undefined;
  return asDrillError(new DrillError('TEARDOWN_FAILED', `Teardown failed: ${errors.map((e) => e.message).join('; ')}`));
}

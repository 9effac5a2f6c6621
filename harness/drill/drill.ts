/**
 * One drill, as the pipeline it is: select the restore point, provision a sandbox, restore, verify,
 * wait for readiness, then tear down on every path. Each phase is timed on the monotonic clock.
 */
import os from 'node:os';
import path from 'node:path';
import { createChecks, type Check, type CheckResult } from '../checks/index.ts';
import type { Clock } from '../clock.ts';
import { BackupError, DrillError, InfrastructureError, InterruptedError, errorMessage } from '../errors.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import type { Scenario } from '../scenario/load.ts';
import { resolveSecrets, type Secrets } from '../scenario/secrets.ts';
import type { Sandbox, SandboxDriver } from '../sandboxes/sandbox.ts';
import { createSource, parsePointSelector, scenarioPoint, selectPoint, sourceWhere, type BackupSource, type PointSelector, type RestorePoint } from '../sources/index.ts';
import { forecastRto } from './forecast.ts';
import { formatDuration } from '../units.ts';
import type { DrillRef, Emit } from './events.ts';
import { RESULT_SCHEMA, type DrillResult, type PhaseName, type PhaseRecord, type TargetMeasure } from './result.ts';
import { newRunId } from './run-id.ts';
import { decideVerdict } from './verdict.ts';
import { VERSION } from '../version.ts';
import type { PointManifests } from '../ransomware/point-manifests.ts';
import { pointManifestsFor, prepareChangeBaseline, resolveNewestClean } from '../ransomware/newest-clean.ts';
import { fingerprintBackup, type BackupFingerprint } from '../sources/fingerprint.ts';

export interface DrillOptions {
  driver: SandboxDriver;
  resultsRoot: string;
  /** The point asked for on the command line; without it, the scenario's source.point, else latest. */
  point?: PointSelector;
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
}

const RTO_MEASURED = 'from the start of the restore to the last readiness check passing';
const RPO_MEASURED = 'from the restore point time to the start of the drill';

export async function runDrill(scenario: Scenario, options: DrillOptions): Promise<DrillResult> {
  return new Drill(scenario, options).run();
}

class Drill {
  private readonly scenario: Scenario;
  private readonly options: DrillOptions;
  private readonly ref: DrillRef;
  private readonly startedAt: Date;
  private readonly resultsDir: string;
  private readonly phases: PhaseRecord[] = [];
  private readonly checks: CheckResult[] = [];
  private point?: RestorePoint;
  private source?: BackupSource;
  private sandbox?: Sandbox;
  private restored?: { files: number; bytes: number };
  private restoreStartedAt?: number;
  private sourceRestoreMs?: number;
  private readonly notes: string[] = [];
  private readyAt?: number;
  private points: RestorePoint[] = [];
  private manifests?: PointManifests;
  private backupPrint?: BackupFingerprint;

  constructor(scenario: Scenario, options: DrillOptions) {
    this.scenario = scenario;
    this.options = options;
    this.startedAt = options.clock.now();
    const runId = newRunId(this.startedAt);
    this.ref = { runId, scenario: scenario.spec.name };
    this.resultsDir = path.resolve(options.resultsRoot, scenario.spec.name, runId);
  }

  async run(): Promise<DrillResult> {
    await this.options.emit({ type: 'drill:start', drill: this.ref, file: this.scenario.displayPath });
    let failure: DrillError | undefined;
    try {
      await this.pipeline();
    } catch (err) {
      failure = this.asDrillError(err);
    } finally {
      await this.teardown().catch((err: unknown) => {
        failure ??= new InfrastructureError('TEARDOWN_FAILED', `The sandbox could not be removed: ${errorMessage(err)}`);
      });
    }
    failure = (await this.backupPrint?.changes()) ?? failure;
    const result = this.result(failure);
    await this.options.emit({ type: 'drill:end', drill: this.ref, result });
    return result;
  }

  private async pipeline(): Promise<void> {
    const secrets = await resolveSecrets(this.scenario, this.options.env);
    const checks = (this.options.checksFor ?? createChecks)(this.scenario);
    await this.phase('select', async () => {
      this.source = this.options.sourceFor ? this.options.sourceFor(this.scenario) : createSource(this.scenario, this.options.env);
      const points = await this.source.points(this.options.signal);
      this.points = points;
      const selector = this.options.point ?? parsePointSelector(scenarioPoint(this.scenario));
      if (selector === 'newest-clean' && points.length > 0) {
        const chosen = await resolveNewestClean(this.scenario, this.source, points, this.pointManifests(), this.deps());
        this.notes.push(...chosen.notes);
        this.point = chosen.point;
      } else {
        this.point = selectPoint(points, selector, sourceWhere(this.scenario));
      }
      if (this.source.sample && this.source.totalSize) {
        // The full size is what the RTO forecast scales the sample up to.
        const total = await this.source.totalSize(this.point, this.options.signal).catch((err: unknown) => {
          this.notes.push(`the size of restore point ${this.point!.id} could not be read, so no RTO forecast: ${errorMessage(err)}`);
          return undefined;
        });
        if (total !== undefined) this.point = { ...this.point, sizeBytes: total };
      }
      // The ransomware check's change rule needs the previous point's manifest: made here, outside the RTO.
      await prepareChangeBaseline(this.scenario, checks, this.points, this.point, () => this.pointManifests());
    });
    await this.phase('provision', async () => {
      this.backupPrint = await fingerprintBackup(this.source!.backupPaths, this.options.signal);
      this.sandbox = await this.options.driver.provision({
        spec: this.scenario.spec.sandbox,
        backupPaths: this.source!.backupPaths,
        scenario: this.scenario.spec.name,
        runId: this.ref.runId,
        logDir: path.join(this.resultsDir, 'logs'),
        signal: this.options.signal,
      });
    });
    this.restoreStartedAt = this.options.clock.monotonic();
    await this.phase('restore', () => this.restore(secrets));
    await this.runChecks('verify', checks);
    await this.runChecks('ready', checks);
    this.readyAt = this.options.clock.monotonic();
  }

  private async restore(secrets: Secrets): Promise<void> {
    const sandbox = this.sandbox!;
    const started = this.options.clock.monotonic();
    this.restored = await this.source!.restore(this.point!, {
      sandbox,
      signal: this.options.signal,
      onProgress: (p) => void this.options.emit({ type: 'progress', drill: this.ref, phase: 'restore', ...p }),
    });
    this.sourceRestoreMs = this.options.clock.monotonic() - started;
    for (const step of this.scenario.spec.restore) {
      const result = await sandbox.exec(step.run, { timeoutMs: step.timeout, signal: this.options.signal, env: secrets });
      if (result.exitCode !== 0 || result.timedOut) {
        const why = result.timedOut ? `did not finish within ${formatDuration(step.timeout)}` : `exited ${result.exitCode}`;
        throw new BackupError('RESTORE_STEP_FAILED', `The restore step "${step.run}" ${why}: ${lastLines(result.stderr || result.stdout)}`);
      }
    }
  }

  private async runChecks(phase: 'verify' | 'ready', checks: Check[]): Promise<void> {
    const ofPhase = checks.filter((c) => c.phase === phase);
    if (ofPhase.length === 0) return;
    await this.phase(phase, async () => {
      let failed = false;
      for (const check of ofPhase) {
        const result = await this.runCheck(check, phase);
        this.checks.push(result);
        await this.options.emit({ type: 'check:result', drill: this.ref, result });
        failed ||= result.status !== 'pass';
      }
      return failed ? 'failed' : 'passed';
    });
  }

  private async runCheck(check: Check, phase: PhaseName): Promise<CheckResult> {
    try {
      return await check.run({
        sandbox: this.sandbox!,
        pool: this.options.pool,
        clock: this.options.clock,
        signal: this.options.signal,
        onProgress: (p) => void this.options.emit({ type: 'progress', drill: this.ref, phase, ...p }),
        points: this.pointManifests().accessFor(this.point!, this.points),
      });
    } catch (err) {
      if (this.options.signal.aborted || (err instanceof DrillError && err.kind === 'backup')) throw err;
      return {
        kind: check.kind,
        name: check.name,
        phase: check.phase,
        status: 'error',
        summary: errorMessage(err),
        findings: [],
        findingCount: 0,
        durationMs: 0,
      };
    }
  }

  /** Runs one phase, timing it; the phase fails when fn throws or returns 'failed'. */
  private async phase(name: PhaseName, fn: () => Promise<unknown>): Promise<void> {
    this.options.signal.throwIfAborted();
    const startedAt = this.options.clock.now().toISOString();
    const started = this.options.clock.monotonic();
    await this.options.emit({ type: 'phase:start', drill: this.ref, phase: name });
    let status: 'passed' | 'failed' = 'failed';
    try {
      status = (await fn()) === 'failed' ? 'failed' : 'passed';
    } finally {
      const durationMs = this.options.clock.monotonic() - started;
      this.phases.push({ name, status, startedAt, durationMs });
      await this.options.emit({ type: 'phase:end', drill: this.ref, phase: name, status, durationMs });
    }
  }

  private deps() {
    return { driver: this.options.driver, pool: this.options.pool, clock: this.options.clock, signal: this.options.signal, runId: this.ref.runId, logDir: path.join(this.resultsDir, 'logs') };
  }

  /** Manifests of points, made only when a check compares points (ransomware). */
  private pointManifests(): PointManifests {
    this.manifests ??= pointManifestsFor(this.scenario, this.source!, this.deps());
    return this.manifests;
  }

  private async teardown(): Promise<void> {
    await this.manifests?.dispose();
    if (!this.sandbox) return;
    const started = this.options.clock.monotonic();
    await this.sandbox.dispose();
    this.phases.push({ name: 'teardown', status: 'passed', durationMs: this.options.clock.monotonic() - started });
  }

  private asDrillError(err: unknown): DrillError {
    if (this.options.signal.aborted) return new InterruptedError('the drill was interrupted (Ctrl-C or SIGTERM); the sandbox was removed');
    if (err instanceof DrillError) return err;
    return new InfrastructureError('UNEXPECTED', `Unexpected failure: ${errorMessage(err)}`, { cause: err });
  }

  private result(error: DrillError | undefined): DrillResult {
    const targets = this.scenario.spec.targets;
    const rpoActual = this.point ? this.startedAt.getTime() - this.point.time.getTime() : undefined;
    const rtoActual = this.restoreStartedAt !== undefined && this.readyAt !== undefined ? this.readyAt - this.restoreStartedAt : undefined;
    const rpo = measure(targets.rpo, rpoActual, RPO_MEASURED);
    const rto = { ...measure(targets.rto, rtoActual, RTO_MEASURED), forecast: this.forecast(rtoActual) };
    const { verdict, reason } = decideVerdict({ error, checks: this.checks, rto, rpo });
    const spec = this.scenario.spec;
    return {
      schema: RESULT_SCHEMA,
      runId: this.ref.runId,
      scenario: { name: spec.name, system: spec.system, file: this.scenario.displayPath, digest: this.scenario.digest },
      verdict,
      reason,
      startedAt: this.startedAt.toISOString(),
      endedAt: this.options.clock.now().toISOString(),
      restorePoint: this.point && {
        id: this.point.id,
        time: this.point.time.toISOString(),
        location: this.point.location,
        sizeBytes: this.point.sizeBytes,
        sourceKind: spec.source.kind,
        host: this.point.host,
        paths: this.point.paths,
      },
      restored: this.restored,
      rpo,
      rto,
      drillIntervalMs: targets.drill_interval,
      phases: this.phases,
      checks: this.checks,
      sandbox: this.sandbox && { driver: this.sandbox.driver, isolation: this.sandbox.isolation, description: this.sandbox.description },
      error: error && { code: error.code, kind: error.kind, message: error.message },
      host: { hostname: os.hostname(), user: userName(), platform: `${os.platform()} ${os.release()}` },
      tools: { 'restore-drill': VERSION, node: process.version },
      resultsDir: this.resultsDir,
      notes: [...(this.options.notes ?? []), ...this.notes],
    };
  }

  private forecast(measuredRtoMs: number | undefined) {
    const sample = this.source?.sample;
    if (!sample || !this.restored || this.sourceRestoreMs === undefined || measuredRtoMs === undefined || this.point?.sizeBytes === undefined) return undefined;
    return forecastRto({
      samplePaths: sample,
      sampleBytes: this.restored.bytes,
      sampleFiles: this.restored.files,
      sampleRestoreMs: this.sourceRestoreMs,
      measuredRtoMs,
      totalBytes: this.point.sizeBytes,
      targetMs: this.scenario.spec.targets.rto,
    });
  }
}

function measure(targetMs: number | undefined, actualMs: number | undefined, measured: string): TargetMeasure {
  const ok = targetMs !== undefined && actualMs !== undefined ? actualMs <= targetMs : undefined;
  return { targetMs, actualMs: actualMs === undefined ? undefined : Math.round(actualMs), ok, measured };
}

function lastLines(text: string, count = 5): string {
  return text.trimEnd().split('\n').slice(-count).join(' | ') || '(no output)';
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

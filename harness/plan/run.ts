/**
 * Runs a recovery plan: each system's scenario drilled through runDrill once the systems it waits for
 * are ready, independent ones at once up to --parallel; a system whose dependency did not come back
 * is not drilled and ends in ERROR (DEPENDENCY_FAILED) naming it. The plan's files are written by
 * plan/write.ts, from the outcome once it is redacted.
 */
import path from 'node:path';
import { buildResult } from '../drill/drill-result.ts';
import { runDrill } from '../drill/drill.ts';
import type { DrillResult } from '../drill/result.ts';
import type { RunOptions, RunOutcome } from '../drill/run.ts';
import { newRunId } from '../drill/run-id.ts';
import { InfrastructureError, InterruptedError, type DrillError } from '../errors.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import type { Plan, PlanSystem } from './load.ts';
import { PlanNetwork } from './network.ts';
import { nextSteps, type SystemState } from './order.ts';
import { buildPlanResult, planExitCode, planFolder, type PlanResult, type SystemRun } from './result.ts';

export interface PlanOutcome extends RunOutcome {
  plan: PlanResult;
}

export async function runPlan(plan: Plan, options: RunOptions): Promise<PlanOutcome> {
  const startedAt = options.clock.now();
  const runId = newRunId(startedAt);
  const resultsDir = path.resolve(options.resultsRoot, planFolder(plan.spec.name), runId);
  await options.emit({ type: 'run:start', scenarios: plan.systems.map((s) => s.loaded.spec.name), sandbox: options.driver.name });
  const notes = [...(options.notes ?? [])];
  for (const removed of await options.driver.removeLeftovers()) {
    notes.push(removed);
    await options.emit({ type: 'note', message: removed });
  }
  const network = await PlanNetwork.open(plan, options.driver, runId);
  const pool = options.pool ?? new HashPool();
  let runs: SystemRun[];
  try {
    runs = await drillInOrder(plan.systems, { ...options, pool, notes }, network);
  } finally {
    for (const problem of (await network?.close()) ?? []) await options.emit({ type: 'note', message: `could not remove ${problem}` });
    if (!options.pool) await pool.close();
  }
  const result = buildPlanResult(plan, { runId, startedAt, endedAt: options.clock.now(), resultsDir, runs });
  const results = runs.map((r) => r.result);
  const exitCode = options.interruptedExitCode?.() ?? planExitCode(result);
  await options.emit({ type: 'run:end', results, exitCode });
  return { results, exitCode, plan: result };
}

async function drillInOrder(systems: PlanSystem[], options: RunOptions & { pool: HashPool }, network: PlanNetwork | undefined): Promise<SystemRun[]> {
  const states = new Map<string, SystemState>(systems.map((s) => [s.name, 'waiting']));
  const runs = new Map<string, SystemRun>();
  const running = new Set<Promise<void>>();
  const byName = new Map(systems.map((s) => [s.name, s]));
  for (;;) {
    const { start, stop } = nextSteps(systems, states);
    for (const { name, waitedFor } of stop) {
      states.set(name, 'failed');
      runs.set(name, { system: byName.get(name)!, waitedFor, result: await notDrilled(byName.get(name)!, dependencyFailed(byName.get(name)!, waitedFor, runs), options) });
    }
    if (stop.length > 0) continue;
    for (const name of start) {
      if (running.size >= Math.max(1, options.parallel)) break;
      const system = byName.get(name)!;
      states.set(name, 'running');
      if (options.signal.aborted) {
        states.set(name, 'failed');
        runs.set(name, { system, result: await notDrilled(system, new InterruptedError('the plan run was interrupted before this system was drilled'), options) });
        continue;
      }
      const driver = network ? network.driverFor(system, options.driver) : options.driver;
      const drilled: Promise<void> = runDrill(system.loaded, { ...options, driver }).then((result) => {
        states.set(name, result.verdict === 'PASS' || result.verdict === 'LATE' ? 'ready' : 'failed');
        runs.set(name, { system, result });
        running.delete(drilled);
      });
      running.add(drilled);
    }
    await network?.release(states);
    if (running.size === 0 && nextSteps(systems, states).start.length === 0) break;
    if (running.size > 0) await Promise.race(running);
  }
  return systems.map((s) => runs.get(s.name)!);
}

function dependencyFailed(system: PlanSystem, waitedFor: string, runs: Map<string, SystemRun>): DrillError {
  const verdict = runs.get(waitedFor)?.result.verdict;
  return new InfrastructureError(
    'DEPENDENCY_FAILED',
    `${system.name} was not drilled: it waits for ${waitedFor} (after: [${system.after.join(', ')}]), which ended in ${verdict ?? 'ERROR'}; fix ${waitedFor} first, then run the plan again`,
  );
}

/** The result of a system that was not drilled, reported like any drill (result.json, console) with no phases. */
async function notDrilled(system: PlanSystem, error: DrillError, options: RunOptions): Promise<DrillResult> {
  const at = options.clock.now();
  const drill = { runId: newRunId(at), scenario: system.loaded.spec.name };
  await options.emit({ type: 'drill:start', drill, file: system.loaded.displayPath });
  const result = buildResult({
    scenario: system.loaded,
    drill,
    startedAt: at,
    endedAt: at,
    resultsDir: path.resolve(options.resultsRoot, system.loaded.spec.name, drill.runId),
    phases: [],
    reached: { checks: [], notes: [], ready: false },
    error,
    notes: options.notes ?? [],
  });
  await options.emit({ type: 'drill:end', drill, result });
  return result;
}

/** Runs many scenarios: all validated first, then drilled with a bounded number at once. */
import type { Clock } from '../clock.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import type { Scenario } from '../scenario/load.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import type { PointSelector } from '../sources/source.ts';
import { runDrill } from './drill.ts';
import type { Emit } from './events.ts';
import type { DrillResult } from './result.ts';
import { exitCodeFor } from './verdict.ts';

export interface RunOptions {
  driver: SandboxDriver;
  resultsRoot: string;
  point?: PointSelector;
  /** The seed of random-within choices (run --seed). */
  seed?: number;
  parallel: number;
  clock: Clock;
  signal: AbortSignal;
  emit: Emit;
  notes?: string[];
  pool?: HashPool;
  /** The exit code an interruption gives (130, 143), once one happened: it then overrides the verdicts'. */
  interruptedExitCode?: () => number | undefined;
  /** See DrillOptions.progressTotals. */
  progressTotals?: boolean;
}

export interface RunOutcome {
  results: DrillResult[];
  exitCode: number;
}

/**
 * The BCP's restore order: by `priority`, lower first, scenarios without one after all that have one;
 * equal priorities keep the order they were given in.
 */
export function inPriorityOrder(scenarios: Scenario[]): Scenario[] {
  const rank = (s: Scenario) => s.spec.priority ?? Number.POSITIVE_INFINITY;
  return scenarios.map((scenario, index) => ({ scenario, index })).sort((a, b) => rank(a.scenario) - rank(b.scenario) || a.index - b.index).map((x) => x.scenario);
}

export async function runScenarios(given: Scenario[], options: RunOptions): Promise<RunOutcome> {
  const scenarios = inPriorityOrder(given);
  await options.emit({ type: 'run:start', scenarios: scenarios.map((s) => s.spec.name), sandbox: options.driver.name });
  const notes = [...(options.notes ?? [])];
  for (const removed of await options.driver.removeLeftovers()) {
    notes.push(removed);
    await options.emit({ type: 'note', message: removed });
  }
  const pool = options.pool ?? new HashPool();
  const results: DrillResult[] = new Array(scenarios.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < scenarios.length) {
        const index = next++;
        results[index] = await runDrill(scenarios[index]!, { ...options, pool, notes });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, scenarios.length)) }, worker));
  } finally {
    if (!options.pool) await pool.close();
  }
  const exitCode = options.interruptedExitCode?.() ?? exitCodeFor(results.map((r) => r.verdict));
  await options.emit({ type: 'run:end', results, exitCode });
  return { results, exitCode };
}

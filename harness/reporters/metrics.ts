/**
 * --metrics FILE: Prometheus textfile-collector metrics, one series per scenario, for an existing
 * node_exporter to alert on (a failing system, a drill overdue). The file is rewritten atomically at
 * the end of each run, keeping the other scenarios' values and each scenario's last success from the
 * previous file, so a failing run never erases when the system last came back.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Gauge, Registry } from 'prom-client';
import type { DrillResult, Verdict } from '../drill/result.ts';
import { errorMessage, InfrastructureError } from '../errors.ts';
import type { Reporter } from './reporter.ts';

export const VERDICTS: Verdict[] = ['PASS', 'FAIL', 'LATE', 'ERROR'];

export interface ScenarioMetrics {
  lastRun?: number;
  lastSuccess?: number;
  rto?: number;
  rtoTarget?: number;
  interval?: number;
  verdict?: Verdict;
}

const METRICS = {
  lastRun: ['restore_drill_last_run_timestamp_seconds', 'When the last drill of the scenario ended (Unix time), whatever its verdict.'],
  lastSuccess: ['restore_drill_last_success_timestamp_seconds', 'When the last PASSing drill of the scenario ended (Unix time).'],
  rto: ['restore_drill_rto_seconds', 'Recovery time measured by the last drill (restore start to last readiness check).'],
  rtoTarget: ['restore_drill_rto_target_seconds', 'The RTO target of the scenario.'],
  interval: ['restore_drill_interval_seconds', 'How often the scenario must pass a drill (targets.drill_interval); alert when time() - last_success exceeds it.'],
} as const satisfies Record<Exclude<keyof ScenarioMetrics, 'verdict'>, readonly [string, string]>;
const VERDICT_METRIC = 'restore_drill_verdict';

export function metricsReporter(file: string): Reporter {
  return {
    name: 'metrics',
    'run:end': async ({ results }) => {
      await writeMetricsFile(file, results);
    },
  };
}

export async function writeMetricsFile(file: string, results: DrillResult[]): Promise<void> {
  const state = await readMetricsFile(file);
  for (const result of results) state.set(result.scenario.name, merge(state.get(result.scenario.name) ?? {}, result));
  const text = await renderMetrics(state);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (err) {
    throw new InfrastructureError('METRICS_UNWRITABLE', `Cannot write the metrics file ${file}: ${errorMessage(err)}. Point --metrics at a writable file (for node_exporter: a .prom file in its textfile directory).`);
  }
}

function merge(previous: ScenarioMetrics, result: DrillResult): ScenarioMetrics {
  const ended = Date.parse(result.endedAt) / 1000;
  return {
    lastRun: ended,
    lastSuccess: result.verdict === 'PASS' ? ended : previous.lastSuccess,
    rto: result.rto.actualMs !== undefined ? result.rto.actualMs / 1000 : undefined,
    rtoTarget: result.rto.targetMs !== undefined ? result.rto.targetMs / 1000 : undefined,
    interval: result.drillIntervalMs !== undefined ? result.drillIntervalMs / 1000 : previous.interval,
    verdict: result.verdict,
  };
}

export async function renderMetrics(state: Map<string, ScenarioMetrics>): Promise<string> {
  const registry = new Registry();
  const gauges = Object.fromEntries(
    Object.entries(METRICS).map(([key, [name, help]]) => [key, new Gauge({ name, help, labelNames: ['scenario'], registers: [registry] })]),
  ) as Record<keyof typeof METRICS, Gauge<'scenario'>>;
  const verdict = new Gauge({ name: VERDICT_METRIC, help: 'The last drill\'s verdict: 1 for the verdict it had, 0 for the others.', labelNames: ['scenario', 'verdict'], registers: [registry] });
  for (const [scenario, values] of [...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const key of Object.keys(METRICS) as (keyof typeof METRICS)[]) {
      const value = values[key];
      if (value !== undefined) gauges[key].set({ scenario }, value);
    }
    if (values.verdict) for (const v of VERDICTS) verdict.set({ scenario, verdict: v }, v === values.verdict ? 1 : 0);
  }
  return registry.metrics();
}

/** Reads the values this reporter wrote before (other lines are left out); an absent file is empty. */
export async function readMetricsFile(file: string): Promise<Map<string, ScenarioMetrics>> {
  const state = new Map<string, ScenarioMetrics>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return state;
    throw new InfrastructureError('METRICS_UNREADABLE', `Cannot read the previous metrics file ${file}: ${errorMessage(err)}`);
  }
  const byName = new Map<string, keyof typeof METRICS>(Object.entries(METRICS).map(([key, [name]]) => [name, key as keyof typeof METRICS]));
  for (const line of text.split('\n')) {
    const sample = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!sample) continue;
    const [, name, labelText, valueText] = sample;
    const labels = parseLabels(labelText!);
    const scenario = labels.scenario;
    const value = Number(valueText);
    if (scenario === undefined || Number.isNaN(value)) continue;
    const entry = state.get(scenario) ?? {};
    const key = byName.get(name!);
    if (key) entry[key] = value;
    else if (name === VERDICT_METRIC && value === 1 && VERDICTS.includes(labels.verdict as Verdict)) entry.verdict = labels.verdict as Verdict;
    else continue;
    state.set(scenario, entry);
  }
  return state;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[name!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

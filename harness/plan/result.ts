/** The plan result (plan.json): each system's verdict and times, and each milestone against its target. */
import type { DrillResult, PhaseName, Verdict } from '../drill/result.ts';
import { exitCodeFor } from '../drill/verdict.ts';
import type { Plan, PlanSystem } from './load.ts';

export const PLAN_RESULT_SCHEMA = 'restore-drill/plan@1';

/**
 * A plan's folder in the results tree: results/_plan.<plan>/<run-id>/. No scenario name can start
 * with '_', so a plan never shares a folder (or an evidence chain) with a scenario of the same name.
 */
export function planFolder(planName: string): string {
  return `_plan.${planName}`;
}

export interface PlanSystemResult {
  name: string;
  /** The group's index: the priority, 0 first. */
  group: number;
  milestone?: string;
  after: string[];
  /** Systems of after whose sandboxes it reached on the plan's internal network (reach). */
  reach?: string[];
  scenario: { name: string; file: string };
  verdict: Verdict;
  reason: string;
  /** The system it waited for that did not come back, when it was not drilled. */
  waitedFor?: string;
  /** Where the drill's result.json is. */
  resultsDir: string;
  /** Times from the plan's start: when its drill started and ended, and when it was ready (PASS or LATE). */
  startMs: number;
  endMs: number;
  readyMs?: number;
  phases: { name: PhaseName; startMs: number; durationMs: number; status: string }[];
  /** --point newest-clean: the time spent finding the clean point, beside the RTO (not part of it). */
  cleanSearch?: CleanSearchFigure;
}

/** Time spent finding a clean point: the points ruled out, and the restores made to judge the points. */
export interface CleanSearchFigure {
  durationMs: number;
  ruledOut: number;
  restores: number;
}

export interface MilestoneResult {
  name: string;
  systems: string[];
  /** From the plan's start to its last system being ready; absent when one of them was not. */
  actualMs?: number;
  targetMs?: number;
  reached: boolean;
  ok?: boolean;
}

export interface PlanResult {
  schema: typeof PLAN_RESULT_SCHEMA;
  runId: string;
  plan: { name: string; file: string; digest: string };
  verdict: Verdict;
  reason: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  systems: PlanSystemResult[];
  milestones: MilestoneResult[];
  /** --point newest-clean: the systems' clean point searches together. */
  cleanSearch?: CleanSearchFigure;
  resultsDir: string;
}

export interface SystemRun {
  system: PlanSystem;
  result: DrillResult;
  waitedFor?: string;
}

const READY_PHASES: PhaseName[] = ['access', 'restore', 'verify', 'ready'];

export function buildPlanResult(plan: Plan, input: { runId: string; startedAt: Date; endedAt: Date; resultsDir: string; runs: SystemRun[] }): PlanResult {
  const origin = input.startedAt.getTime();
  const offset = (iso: string) => Math.max(0, new Date(iso).getTime() - origin);
  const systems = input.runs.map(({ system, result, waitedFor }): PlanSystemResult => {
    const phases = result.phases.filter((p) => p.startedAt !== undefined).map((p) => ({ name: p.name, startMs: offset(p.startedAt!), durationMs: p.durationMs, status: p.status }));
    const ends = phases.filter((p) => READY_PHASES.includes(p.name)).map((p) => p.startMs + p.durationMs);
    const ready = (result.verdict === 'PASS' || result.verdict === 'LATE') && ends.length > 0;
    return {
      name: system.name,
      group: system.group,
      milestone: system.milestone,
      after: system.after,
      reach: system.reach.length > 0 ? system.reach : undefined,
      scenario: { name: result.scenario.name, file: result.scenario.file },
      verdict: result.verdict,
      reason: result.reason,
      waitedFor,
      resultsDir: result.resultsDir,
      startMs: offset(result.startedAt),
      endMs: offset(result.endedAt),
      readyMs: ready ? Math.round(Math.max(...ends)) : undefined,
      phases,
      cleanSearch: result.restorePoint?.selection?.cleanSearch,
    };
  });
  const milestones = milestonesOf(plan, systems);
  const { verdict, reason } = planVerdict(systems, milestones);
  return {
    schema: PLAN_RESULT_SCHEMA,
    runId: input.runId,
    plan: { name: plan.spec.name, file: plan.displayPath, digest: plan.digest },
    verdict,
    reason,
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    durationMs: input.endedAt.getTime() - origin,
    systems,
    milestones,
    cleanSearch: totalCleanSearch(systems),
    resultsDir: input.resultsDir,
  };
}

function totalCleanSearch(systems: PlanSystemResult[]): CleanSearchFigure | undefined {
  const searches = systems.map((s) => s.cleanSearch).filter((c) => c !== undefined);
  if (searches.length === 0) return undefined;
  const sum = (key: keyof CleanSearchFigure) => searches.reduce((total, c) => total + c[key], 0);
  return { durationMs: sum('durationMs'), ruledOut: sum('ruledOut'), restores: sum('restores') };
}

function milestonesOf(plan: Plan, systems: PlanSystemResult[]): MilestoneResult[] {
  const names = [...new Set(systems.map((s) => s.milestone).filter((m) => m !== undefined))];
  return names.map((name) => {
    const members = systems.filter((s) => s.milestone === name);
    const reached = members.every((s) => s.readyMs !== undefined);
    const actualMs = reached ? Math.max(...members.map((s) => s.readyMs!)) : undefined;
    const targetMs = plan.spec.targets.milestones[name];
    const ok = targetMs === undefined ? undefined : reached && actualMs! <= targetMs;
    return { name, systems: members.map((s) => s.name), actualMs, targetMs, reached, ok };
  });
}

/** The worst system verdict (as run's exit code orders them); all restored but a milestone late is LATE. */
function planVerdict(systems: PlanSystemResult[], milestones: MilestoneResult[]): { verdict: Verdict; reason: string } {
  const order: Verdict[] = ['FAIL', 'ERROR', 'LATE', 'PASS'];
  const worst = order.find((v) => systems.some((s) => s.verdict === v)) ?? 'PASS';
  if (worst !== 'PASS') {
    const named = systems.filter((s) => s.verdict === worst).map((s) => s.name);
    return { verdict: worst, reason: `${named.join(', ')}: ${worst}` };
  }
  const late = milestones.filter((m) => m.ok === false);
  if (late.length > 0) return { verdict: 'LATE', reason: `every system restored, but over the target of milestone ${late.map((m) => m.name).join(', ')}` };
  return { verdict: 'PASS', reason: 'every system restored, and every milestone reached within its target' };
}

export function planExitCode(result: PlanResult): number {
  return exitCodeFor([result.verdict]);
}

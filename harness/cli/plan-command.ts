/** The plan run command's work: load the plan and its scenarios, drill them in order, write plan.json, summarise. */
import { loadSigningKey } from '../evidence/keys.ts';
import { chooseLang } from '../reporters/html/lang.ts';
import { formatDuration } from '../units.ts';
import { writePlanFiles } from '../plan/write.ts';
import { loadPlan } from '../plan/load.ts';
import { runPlan, type PlanOutcome } from '../plan/run.ts';
import type { PlanResult } from '../plan/result.ts';
import { checkResultsRoot } from './results-root.ts';
import { drillWith, type DrillSettings } from './run-command.ts';

export interface PlanRunRequest extends DrillSettings {
  plan: string;
}

export async function planRunCommand(request: PlanRunRequest): Promise<PlanOutcome> {
  const resultsRoot = await checkResultsRoot(request.results);
  const plan = await loadPlan(request.plan);
  const outcome = await drillWith(plan.systems.map((s) => s.loaded), request, resultsRoot, (options) => runPlan(plan, options));
  // From the redacted outcome: a secret in a system's reason never reaches the plan's files.
  await writePlanFiles(outcome.plan, { lang: chooseLang(request.lang), signingKey: await loadSigningKey({ resultsRoot }) });
  if (!request.json) process.stdout.write(planSummary(outcome.plan));
  return outcome;
}

export function planSummary(result: PlanResult): string {
  const lines = ['', `plan ${result.plan.name}: ${result.verdict} (${result.reason})`];
  for (const s of result.systems) {
    const ready = s.readyMs === undefined ? 'not ready' : `ready at +${formatDuration(s.readyMs)}`;
    const clean = s.cleanSearch ? `, clean point found in ${formatDuration(s.cleanSearch.durationMs)} (${s.cleanSearch.ruledOut} ruled out)` : '';
    lines.push(`  ${s.verdict.padEnd(5)} ${s.name} (${s.scenario.name}), ${ready}${clean}${s.waitedFor ? `: not drilled, waited for ${s.waitedFor}` : ''}`);
  }
  for (const m of result.milestones) {
    const actual = m.actualMs === undefined ? 'not reached' : `reached at +${formatDuration(m.actualMs)}`;
    const target = m.targetMs === undefined ? 'no target' : `target ${formatDuration(m.targetMs)}${m.ok ? ' ✔' : ' ✘'}`;
    lines.push(`  milestone ${m.name}: ${actual} (${target}; ${m.systems.join(', ')})`);
  }
  if (result.cleanSearch) lines.push(`  finding the clean points (beside the RTO): ${formatDuration(result.cleanSearch.durationMs)}, ${result.cleanSearch.ruledOut} ruled out, ${result.cleanSearch.restores} restores`);
  lines.push(`  plan.json: ${result.resultsDir}/plan.json`, `  report:    ${result.resultsDir}/report.html`, '');
  return lines.join('\n');
}

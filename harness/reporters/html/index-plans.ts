/**
 * The recovery plans on results/index.html: the last run of each plan (results/_plan.<plan>/<run>/
 * plan.json), its verdict and milestones, and a link to its report. An unreadable plan.json is listed
 * with the drills' unreadable results, not fatal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PLAN_RESULT_SCHEMA, planFolder, type PlanResult } from '../../plan/result.ts';
import { PLAN_FILE } from '../../plan/write.ts';
import { formatDuration } from '../../units.ts';
import { html, type Html } from './html.ts';
import { STRINGS, formatTime } from './i18n.ts';
import type { Lang } from './lang.ts';
import { PLAN_STRINGS } from './plan-strings.ts';
import { REPORT_FILE } from './report-reporter.ts';

export interface PlanRow {
  last: PlanResult;
  runs: number;
  /** The last run's report.html relative to the page, when it exists. */
  lastReport?: string;
}

export async function planRows(resultsDir: string, pageDir: string): Promise<{ rows: PlanRow[]; unreadable: string[] }> {
  const rows: PlanRow[] = [];
  const unreadable: string[] = [];
  const prefix = planFolder('');
  const folders = (await readdir(resultsDir).catch(() => [] as string[])).filter((name) => name.startsWith(prefix)).sort();
  for (const folder of folders) {
    const runs: PlanResult[] = [];
    for (const run of await readdir(path.join(resultsDir, folder)).catch(() => [] as string[])) {
      const file = path.join(resultsDir, folder, run, PLAN_FILE);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const plan = parsePlan(text);
      if (plan) runs.push(plan);
      else unreadable.push(path.relative(resultsDir, file));
    }
    const last = runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)).at(-1);
    if (!last) continue;
    const report = path.join(last.resultsDir, REPORT_FILE);
    const lastReport = (await stat(report).then(() => true, () => false)) ? path.relative(pageDir, report).split(path.sep).join('/') : undefined;
    rows.push({ last, runs: runs.length, lastReport });
  }
  return { rows, unreadable };
}

function parsePlan(text: string): PlanResult | undefined {
  try {
    const value = JSON.parse(text) as PlanResult;
    return value?.schema === PLAN_RESULT_SCHEMA && typeof value.startedAt === 'string' && Array.isArray(value.milestones) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function plansSection(rows: PlanRow[], lang: Lang): Html {
  if (rows.length === 0) return html``;
  const t = STRINGS[lang];
  const p = PLAN_STRINGS[lang];
  return html`<h2>${p.indexPlans}</h2>
<p>${p.indexPlansIntro}</p>
<table id="plans">
<tr><th>${p.plan}</th><th>${p.lastRun}</th><th>${t.verdict}</th><th>${p.milestones}</th><th></th></tr>
${rows.map((row) => html`<tr data-plan="${row.last.plan.name}"><td>${row.last.plan.name}</td><td>${formatTime(row.last.startedAt, lang)}<br><span class="muted">${formatDuration(row.last.durationMs)}</span></td><td><span class="badge v-${row.last.verdict}">${row.last.verdict}</span></td><td>${milestones(row.last, lang)}</td><td>${row.lastReport ? html`<a href="${row.lastReport}">${p.report}</a>` : ''}</td></tr>`)}
</table>`;
}

function milestones(plan: PlanResult, lang: Lang): Html {
  const p = PLAN_STRINGS[lang];
  return html`${plan.milestones.map((m) => {
    const at = m.actualMs === undefined ? p.notReached : formatDuration(m.actualMs);
    const target = m.targetMs === undefined ? '' : ` / ${formatDuration(m.targetMs)}`;
    return html`<span class="${m.ok === false || !m.reached ? 'bad' : 'ok'}">${m.ok === false || !m.reached ? '✘' : '✔'} ${m.name}: ${at}${target}</span><br>`;
  })}`;
}

/**
 * results/index.html: one row per system with its last drill, verdict, last PASS, days since, an RTO
 * plot over time against the target, and overdue systems marked (last PASS older than the interval);
 * then the recovery plans' last runs (index-plans.ts).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readResults } from '../../drill/history.ts';
import type { DrillResult, Verdict } from '../../drill/result.ts';
import type { ScenarioEvidence } from '../../evidence/verify.ts';
import { formatDuration } from '../../units.ts';
import { VERSION } from '../../version.ts';
import { coverageCell, pointCoverage, type PointCoverage } from './coverage.ts';
import { html, trusted, type Html } from './html.ts';
import { planRows, plansSection } from './index-plans.ts';
import { STRINGS, formatDate, formatTime } from './i18n.ts';
import type { Lang } from './lang.ts';
import { REPORT_FILE } from './report-reporter.ts';
import { STYLES } from './styles.ts';

const DAY = 86_400_000;

export interface SystemRow {
  scenario: string;
  system?: string;
  /** Oldest first. */
  runs: DrillResult[];
  last: DrillResult;
  lastPass?: DrillResult;
  intervalMs: number;
  daysSincePass?: number;
  overdue: boolean;
  /** Path of the last run's report.html relative to the results folder, when it exists. */
  lastReport?: string;
  coverage: PointCoverage;
}

export interface IndexOptions {
  lang: Lang;
  now: Date;
  /** Used for scenarios whose results carry no drillIntervalMs. */
  defaultIntervalMs: number;
  /** The folder the page is written to, for links to the reports (default: the results folder). */
  pageDir?: string;
  /** Evidence verified per scenario with the signer's public key; absent when no key was given. */
  evidence?: Map<string, ScenarioEvidence>;
}

export async function systemRows(resultsDir: string, results: DrillResult[], options: IndexOptions): Promise<SystemRow[]> {
  const byScenario = new Map<string, DrillResult[]>();
  for (const r of results) byScenario.set(r.scenario.name, [...(byScenario.get(r.scenario.name) ?? []), r]);
  const rows: SystemRow[] = [];
  for (const [scenario, unsorted] of [...byScenario.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const runs = unsorted.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const last = runs[runs.length - 1]!;
    const lastPass = runs.filter((r) => r.verdict === 'PASS').pop();
    const intervalMs = last.drillIntervalMs ?? options.defaultIntervalMs;
    const sinceMs = lastPass ? options.now.getTime() - Date.parse(lastPass.endedAt) : undefined;
    const report = path.join(last.resultsDir, REPORT_FILE);
    rows.push({
      scenario,
      system: last.scenario.system,
      runs,
      last,
      lastPass,
      intervalMs,
      daysSincePass: sinceMs === undefined ? undefined : Math.floor(sinceMs / DAY),
      overdue: sinceMs === undefined || sinceMs > intervalMs,
      coverage: pointCoverage(runs),
      lastReport: (await stat(report).then(() => true, () => false)) ? path.relative(options.pageDir ?? resultsDir, report).split(path.sep).join('/') : undefined,
    });
  }
  return rows;
}

export async function renderIndex(resultsDir: string, options: IndexOptions): Promise<{ page: string; rows: SystemRow[]; unreadable: string[] }> {
  const { results, unreadable: unreadableResults } = await readResults(resultsDir);
  const rows = await systemRows(resultsDir, results, options);
  const plans = await planRows(resultsDir, options.pageDir ?? resultsDir);
  const unreadable = [...unreadableResults, ...plans.unreadable];
  const t = STRINGS[options.lang];
  const page = html`<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${t.indexTitle}</title>
<style>${trusted(STYLES)}</style>
</head>
<body><main style="max-width: 80rem">
<h1>${t.indexTitle}</h1>
<p class="sub">${t.asOf} ${formatTime(options.now.toISOString(), options.lang)}</p>
<p>${t.indexIntro(rows.length, formatDuration(options.defaultIntervalMs))}</p>
${rows.length === 0 ? html`<p>${t.noResults}</p>` : html`<table id="systems">
<tr><th>${t.system}</th><th>${t.lastDrill}</th><th>${t.verdict}</th><th>${t.lastPass}</th><th>${t.daysSince}</th><th>${t.interval}</th><th>${t.rtoHistory}</th><th>${t.pointsCoverage}</th><th>${t.evidence}</th></tr>
${rows.map((row) => rowHtml(row, options.lang, options.evidence))}
</table>`}
${plansSection(plans.rows, options.lang)}
${unreadable.length > 0 ? html`<h2>${t.unreadable}</h2><ul>${unreadable.map((u) => html`<li><code>${u}</code></li>`)}</ul>` : ''}
<footer>restore-drill ${VERSION}</footer>
</main></body>
</html>
`;
  return { page: page.text, rows, unreadable };
}

function rowHtml(row: SystemRow, lang: Lang, evidence: Map<string, ScenarioEvidence> | undefined): Html {
  const t = STRINGS[lang];
  const name = html`<strong>${row.system ?? row.scenario}</strong><br><code class="muted">${row.scenario}</code>`;
  return html`<tr class="${row.overdue ? 'overdue' : ''}" data-scenario="${row.scenario}" data-overdue="${row.overdue ? 'yes' : 'no'}">
<td>${name}${row.overdue ? html`<br><span class="badge v-FAIL">${t.overdue}</span>` : ''}</td>
<td>${row.lastReport ? html`<a href="${row.lastReport}">${formatTime(row.last.startedAt, lang)}</a>` : formatTime(row.last.startedAt, lang)}<br><span class="muted">${t.drills(row.runs.length)}</span></td>
<td><span class="badge v-${row.last.verdict}">${row.last.verdict}</span></td>
<td>${row.lastPass ? formatTime(row.lastPass.endedAt, lang) : html`<span class="bad">${t.never}</span>`}</td>
<td>${row.daysSincePass ?? '—'}</td>
<td>${formatDuration(row.intervalMs)}</td>
<td>${rtoPlot(row, lang)}</td>
<td class="coverage">${coverageCell(row.coverage, lang)}</td>
<td class="evidence" data-evidence="${evidence ? (evidence.get(row.scenario)?.state ?? 'unsigned') : 'unchecked'}">${evidenceCell(evidence?.get(row.scenario), evidence !== undefined, lang)}</td>
</tr>`;
}

function evidenceCell(status: ScenarioEvidence | undefined, checked: boolean, lang: Lang): Html {
  const t = STRINGS[lang];
  if (!checked) return html`<span class="muted">${t.evidenceUnchecked}</span>`;
  if (!status || status.state === 'unsigned') return html`<span class="muted">${t.evidenceUnsigned}</span>`;
  if (status.state === 'verified') return html`<span class="ok">✔ ${t.evidenceChain(status.runs)}</span><br><code class="muted" title="${status.head.sha256}">${status.head.sha256.slice(0, 12)}</code>`;
  return html`<span class="bad">✘ ${t.evidenceBroken}</span><ul>${status.problems.slice(0, 5).map((p) => html`<li>${p}</li>`)}</ul>${status.problems.length > 5 ? html`<span class="muted">${t.moreFindings(status.problems.length - 5)}</span>` : ''}`;
}

const COLORS: Record<Verdict, string> = { PASS: '#1b7f3b', FAIL: '#b3261e', LATE: '#9a6700', ERROR: '#6b3fa0' };

/** RTO per drill over time, against the target: an inline SVG built only from numbers and escaped text. */
export function rtoPlot(row: SystemRow, lang: Lang): Html {
  const width = 280;
  const height = 80;
  const pad = { left: 44, right: 8, top: 8, bottom: 14 };
  const times = row.runs.map((r) => Date.parse(r.startedAt));
  const minT = Math.min(...times);
  const maxT = Math.max(...times);
  const target = row.last.rto.targetMs;
  const values = row.runs.map((r) => r.rto.actualMs).filter((v): v is number => v !== undefined);
  const maxY = Math.max(1, target ?? 0, ...values) * 1.15;
  const x = (time: number) => (maxT === minT ? pad.left + (width - pad.left - pad.right) / 2 : pad.left + ((time - minT) / (maxT - minT)) * (width - pad.left - pad.right));
  const y = (ms: number) => height - pad.bottom - (ms / maxY) * (height - pad.top - pad.bottom);
  const label = `${STRINGS[lang].rto}: ${row.system ?? row.scenario}`;
  const marks = row.runs.map((r, i) => {
    const cx = x(times[i]!).toFixed(1);
    const tip = `${formatTime(r.startedAt, lang)}: ${r.verdict}${r.rto.actualMs !== undefined ? `, RTO ${formatDuration(r.rto.actualMs)}` : ''}`;
    if (r.rto.actualMs === undefined) {
      const cy = height - pad.bottom;
      return html`<g class="no-rto"><title>${tip}</title><path d="M${Number(cx) - 3} ${cy - 3} l6 6 m0 -6 l-6 6" stroke="${COLORS[r.verdict]}" stroke-width="1.5"/></g>`;
    }
    return html`<circle class="rto-point" cx="${cx}" cy="${y(r.rto.actualMs).toFixed(1)}" r="3.5" fill="${COLORS[r.verdict]}"><title>${tip}</title></circle>`;
  });
  const line = row.runs
    .map((r, i) => (r.rto.actualMs === undefined ? undefined : `${x(times[i]!).toFixed(1)},${y(r.rto.actualMs).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  return html`<svg class="plot" role="img" aria-label="${label}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#d0d4d9"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#d0d4d9"/>
${target === undefined || y(target) - pad.top > 14 ? html`<text x="${pad.left - 4}" y="${pad.top + 8}" font-size="9" text-anchor="end" fill="#5f6368">${formatDuration(maxY)}</text>` : ''}
<text x="${pad.left - 4}" y="${height - pad.bottom}" font-size="9" text-anchor="end" fill="#5f6368">0</text>
${target !== undefined ? html`<line class="rto-target" x1="${pad.left}" y1="${y(target).toFixed(1)}" x2="${width - pad.right}" y2="${y(target).toFixed(1)}" stroke="#b3261e" stroke-dasharray="4 3"/><text x="${pad.left - 4}" y="${(y(target) + 3).toFixed(1)}" font-size="9" text-anchor="end" fill="#b3261e">${formatDuration(target)}</text>` : ''}
${line ? html`<polyline points="${line}" fill="none" stroke="#5f6368" stroke-width="1"/>` : ''}
${marks}
<text x="${pad.left}" y="${height - 2}" font-size="9" fill="#5f6368">${formatDate(row.runs[0]!.startedAt, lang)}</text>
<text x="${width - pad.right}" y="${height - 2}" font-size="9" text-anchor="end" fill="#5f6368">${formatDate(row.last.startedAt, lang)}</text>
</svg>`;
}

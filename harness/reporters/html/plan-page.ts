/** The plan's report.html: verdict, the systems as a timeline, milestones against targets, links to each system's report; ja or en. */
import type { EvidenceStatus } from '../../evidence/status.ts';
import type { MilestoneResult, PlanResult, PlanSystemResult } from '../../plan/result.ts';
import { formatDuration } from '../../units.ts';
import { VERSION } from '../../version.ts';
import { evidenceSection } from './evidence-section.ts';
import { html, trusted, type Html } from './html.ts';
import { STRINGS, formatTime } from './i18n.ts';
import type { Lang } from './lang.ts';
import { PLAN_STRINGS } from './plan-strings.ts';
import { timelineSvg } from './plan-timeline.ts';
import { STYLES } from './styles.ts';

export interface PlanReportOptions {
  lang: Lang;
  evidence: EvidenceStatus;
  /** Per system, its own report.html relative to the plan report's folder, when it exists. */
  links: Record<string, string | undefined>;
}

export function renderPlanReport(result: PlanResult, options: PlanReportOptions): string {
  const t = STRINGS[options.lang];
  const p = PLAN_STRINGS[options.lang];
  return html`<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${p.title}: ${result.plan.name}</title>
<style>${trusted(STYLES)}</style>
</head>
<body><main>
<h1>${p.title}</h1>
<p class="sub">${result.plan.name} · ${t.runId} <code>${result.runId}</code></p>
<section class="verdict v-${result.verdict}" id="verdict">
  <div class="word">${result.verdict}</div>
  <p><strong>${t.reason}:</strong> ${result.reason}</p>
</section>

<h2>${t.summary}</h2>
<table>
<tr><th scope="row">${p.plan}</th><td>${result.plan.name}</td></tr>
<tr><th scope="row">${p.planFile}</th><td><code>${result.plan.file}</code><br><code class="muted">${result.plan.digest}</code></td></tr>
<tr><th scope="row">${t.started}</th><td>${formatTime(result.startedAt, options.lang)}</td></tr>
<tr><th scope="row">${t.ended}</th><td>${formatTime(result.endedAt, options.lang)}</td></tr>
<tr><th scope="row">${p.duration}</th><td>${formatDuration(result.durationMs)}</td></tr>
${result.cleanSearch ? html`<tr><th scope="row">${p.cleanSearch}</th><td id="clean-search">${p.cleanSearchOf(formatDuration(result.cleanSearch.durationMs), result.cleanSearch.ruledOut, result.cleanSearch.restores)}</td></tr>` : ''}
</table>

<h2>${p.timeline}</h2>
${timelineSvg(result, p.timelineLabel)}
<p class="muted">${p.timelineLegend}</p>

<h2>${p.milestones}</h2>
<table id="milestones"><tr><th>${p.milestone}</th><th>${p.systems}</th><th>${p.reachedAt}</th><th>${t.target}</th></tr>
${result.milestones.map((m) => milestoneRow(m, options.lang))}
</table>

<h2>${p.systems}</h2>
<table id="systems"><tr><th>${t.system}</th><th>${p.group}</th><th>${p.after}</th><th>${t.verdict}</th><th>${p.readyAt}</th><th>${t.reason}</th><th>${p.report}</th></tr>
${result.systems.map((s) => systemRow(s, options))}
</table>

<h2>${t.evidence}</h2>
${evidence(options.evidence, options.lang)}

<footer>${p.generated(VERSION)}</footer>
</main></body>
</html>
`.text;
}

function milestoneRow(m: MilestoneResult, lang: Lang): Html {
  const t = STRINGS[lang];
  const p = PLAN_STRINGS[lang];
  const mark = m.ok === undefined ? html`<span class="muted">${t.noTarget}</span>` : m.ok ? html`<span class="ok">✔ ${t.within}</span>` : html`<span class="bad">✘ ${t.over}</span>`;
  return html`<tr data-milestone="${m.name}" data-ok="${String(m.ok)}"><td>${m.name}</td><td>${m.systems.join(', ')}</td><td>${m.actualMs === undefined ? html`<span class="bad">${p.notReached}</span>` : `+${formatDuration(m.actualMs)}`}</td><td>${m.targetMs === undefined ? '' : formatDuration(m.targetMs)} ${mark}</td></tr>`;
}

function systemRow(s: PlanSystemResult, options: PlanReportOptions): Html {
  const p = PLAN_STRINGS[options.lang];
  const link = options.links[s.name];
  const ready = s.readyMs === undefined ? html`<span class="muted">${p.notReady}</span>` : `+${formatDuration(s.readyMs)}`;
  const clean = s.cleanSearch ? html`<br><span class="muted">${p.cleanSearch}: ${p.cleanSearchOf(formatDuration(s.cleanSearch.durationMs), s.cleanSearch.ruledOut, s.cleanSearch.restores)}</span>` : '';
  return html`<tr data-system="${s.name}"><td>${s.name}<br><span class="muted">${s.scenario.name}</span></td><td>${s.group + 1}</td><td>${s.after.join(', ')}${s.reach ? html`<br><span class="muted">${p.reaches(s.reach.join(', '))}</span>` : ''}</td><td><span class="badge v-${s.verdict}">${s.verdict}</span></td><td>${ready}${clean}</td><td>${s.waitedFor ? html`<strong>${p.notDrilled(s.waitedFor)}</strong><br>` : ''}${s.reason}</td><td>${link ? html`<a href="${link}">${p.report}</a>` : ''}</td></tr>`;
}

function evidence(status: EvidenceStatus, lang: Lang): Html {
  const p = PLAN_STRINGS[lang];
  return evidenceSection(status, lang, { chainFirst: p.evidenceFirst, chainAfter: p.evidenceAfter, digestLabel: p.planDigest });
}

/** report.html: one drill, verdict first, for the operator, the manager and the auditor; ja or en. */
import { ocrTextOf, screenshotOf, type CheckResult, type Finding } from '../../checks/check.ts';
import { emulatedRto } from '../../drill/emulated-rto.ts';
import type { RtoForecast } from '../../drill/forecast.ts';
import type { DrillResult, TargetMeasure } from '../../drill/result.ts';
import type { EvidenceStatus } from '../../evidence/status.ts';
import { formatBytes, formatDuration } from '../../units.ts';
import { VERSION } from '../../version.ts';
import { COMPLIANCE, mapCompliance, type ComplianceData } from '../compliance.ts';
import { evidenceSection } from './evidence-section.ts';
import { html, trusted, type Html } from './html.ts';
import { STRINGS, formatTime } from './i18n.ts';
import type { Lang } from './lang.ts';
import { STYLES } from './styles.ts';


const FINDINGS_SHOWN = 50;

export function renderReport(result: DrillResult, options: { lang: Lang; evidence: EvidenceStatus; compliance?: ComplianceData }): string {
  const t = STRINGS[options.lang];
  const title = result.scenario.system ? `${result.scenario.system} (${result.scenario.name})` : result.scenario.name;
  const forecast = result.rto.forecast;
  const page = html`<!doctype html>
<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${t.reportTitle}: ${title}</title>
<style>${trusted(STYLES)}</style>
</head>
<body><main>
<h1>${t.reportTitle}</h1>
<p class="sub">${title} · ${t.runId} <code>${result.runId}</code></p>
<section class="verdict v-${result.verdict}" id="verdict">
  <div class="word">${result.verdict}</div>
  <p>${t.verdictMeaning[result.verdict]}</p>
  <p><strong>${t.reason}:</strong> ${result.reason}</p>
</section>

<h2>${t.summary}</h2>
<table>
<tr><th scope="row">${t.system}</th><td>${result.scenario.system ?? ''}</td></tr>
<tr><th scope="row">${t.scenario}</th><td>${result.scenario.name}</td></tr>
<tr><th scope="row">${t.scenarioFile}</th><td><code>${result.scenario.file}</code><br><code class="muted">${result.scenario.digest}</code></td></tr>
<tr><th scope="row">${t.started}</th><td>${formatTime(result.startedAt, options.lang)}</td></tr>
<tr><th scope="row">${t.ended}</th><td>${formatTime(result.endedAt, options.lang)}</td></tr>
<tr><th scope="row">${t.restorePoint}</th><td>${result.restorePoint ? html`<code>${result.restorePoint.id}</code> (${result.restorePoint.sourceKind})<br><code class="muted">${result.restorePoint.location}</code>${result.restorePoint.sizeBytes !== undefined ? html`<br>${formatBytes(result.restorePoint.sizeBytes)}` : ''}` : html`<span class="muted">—</span>`}</td></tr>
<tr><th scope="row">${t.pointTime}</th><td>${formatTime(result.restorePoint?.time, options.lang)}</td></tr>
<tr><th scope="row">${t.pointAge}</th><td id="rpo">${measure(result.rpo, options.lang)}</td></tr>
<tr><th scope="row">${t.rto}</th><td id="rto">${measure(result.rto, options.lang)}${emulatedRto(result) ? html`<br><strong class="bad">${emulatedRto(result)}</strong>` : ''}<br><span class="muted">${result.rto.measured}</span></td></tr>
${forecast !== undefined ? html`<tr><th scope="row">${t.forecast}</th><td>${describeForecast(forecast, options.lang)}</td></tr>` : ''}
${result.restored ? html`<tr><th scope="row">${t.restored}</th><td>${result.restored.files} ${t.files}, ${formatBytes(result.restored.bytes)}</td></tr>` : ''}
${result.error ? html`<tr><th scope="row">${t.error}</th><td><code>${result.error.code}</code> ${result.error.message}</td></tr>` : ''}
</table>

<h2>${t.checks}</h2>
${result.checks.length === 0 ? html`<p class="muted">${t.noChecks}</p>` : result.checks.map((c) => check(c, options.lang))}

<h2>${t.negativeControl}</h2>
${negativeControl(result, options.lang)}

<h2>${t.phases}</h2>
<table><tr><th>${t.phase}</th><th>${t.status}</th><th>${t.duration}</th></tr>
${result.phases.map((p) => html`<tr><td>${p.name}</td><td>${p.status}</td><td>${formatDuration(p.durationMs)}</td></tr>`)}
</table>

<h2>${t.sandbox}</h2>
${sandbox(result, options.lang)}

<h2>${t.tools}</h2>
<table>${Object.entries(result.tools).map(([name, version]) => html`<tr><th scope="row">${name}</th><td><code>${version}</code></td></tr>`)}</table>

<h2>${t.who}</h2>
<table>
<tr><th scope="row">${t.user}</th><td>${result.host.user}</td></tr>
<tr><th scope="row">${t.host}</th><td>${result.host.hostname}</td></tr>
<tr><th scope="row">${t.platform}</th><td>${result.host.platform}</td></tr>
</table>

<h2>${t.evidence}</h2>
${evidence(options.evidence, options.lang)}

<h2>${t.compliance}</h2>
${compliance(result, options.lang, options.compliance ?? COMPLIANCE)}

<footer>${t.generated(VERSION)}</footer>
</main></body>
</html>
`;
  return page.text;
}

function measure(m: TargetMeasure, lang: Lang): Html {
  const t = STRINGS[lang];
  if (m.actualMs === undefined) return html`<span class="muted">${t.notMeasured}</span>${m.targetMs !== undefined ? html` (${t.target} ${formatDuration(m.targetMs)})` : ''}`;
  const verdict = m.targetMs === undefined ? html`<span class="muted">${t.noTarget}</span>` : m.ok ? html`<span class="ok">✔ ${t.within}</span>` : html`<span class="bad">✘ ${t.over}</span>`;
  return html`<strong>${formatDuration(m.actualMs)}</strong>${m.targetMs !== undefined ? html` / ${t.target} ${formatDuration(m.targetMs)}` : ''} · ${verdict}`;
}

/** The RTO forecast of a sample restore (drill/forecast.ts): always marked as a forecast, never a measurement. */
function describeForecast(f: RtoForecast, lang: Lang): Html {
  const t = STRINGS[lang];
  const verdict = f.ok === undefined ? '' : f.ok ? html` · <span class="ok">✔ ${t.within}</span>` : html` · <span class="bad">✘ ${t.over}</span>`;
  return html`<strong>${formatDuration(f.forecastMs)}</strong>${f.targetMs !== undefined ? html` / ${t.target} ${formatDuration(f.targetMs)}` : ''}${verdict}<br><span class="muted">${formatBytes(f.totalBytes)} ← ${formatBytes(f.sampleBytes)} (${f.samplePaths.join(', ')}) @ ${formatBytes(f.bytesPerSecond)}/s<br>${f.basis}</span>`;
}

function check(c: CheckResult, lang: Lang): Html {
  const t = STRINGS[lang];
  const mark = c.status === 'pass' ? html`<span class="ok">✔ PASS</span>` : html`<span class="bad">✘ ${c.status.toUpperCase()}</span>`;
  const more = c.findingCount - Math.min(c.findings.length, FINDINGS_SHOWN);
  return html`<section class="check">
<h3>${mark} ${c.kind}: ${c.name}</h3>
<p>${c.summary} <span class="muted">(${t.phase} ${c.phase}, ${formatDuration(c.durationMs)})</span></p>
${c.findings.length > 0 ? html`<table><tr><th>${t.rule}</th><th>${t.subject}</th><th>${t.message}</th><th>${t.expected}</th><th>${t.actual}</th></tr>
${c.findings.slice(0, FINDINGS_SHOWN).map((f) => finding(f))}
</table>${more > 0 ? html`<p class="muted">${t.moreFindings(more)}</p>` : ''}` : ''}
${screenshotOf(c) ? html`<p><img class="screenshot" src="${screenshotOf(c)}" alt="${c.name}" style="max-width:100%;border:1px solid #888"></p>` : ''}
${ocrTextOf(c) ? html`<details><summary>OCR</summary><pre class="mono">${ocrTextOf(c)}</pre></details>` : ''}
${c.logTail ? html`<details><summary>${t.logTail}</summary><pre class="mono">${c.logTail}</pre></details>` : ''}
</section>`;
}

function negativeControl(result: DrillResult, lang: Lang): Html {
  const t = STRINGS[lang];
  const control = result.negativeControl;
  if (!control) return html`<p class="muted" id="negative-control">${t.controlStatus['not-run']}</p>`;
  const head = html`<p id="negative-control" data-status="${control.status}" class="${control.status === 'vacuous' ? 'bad' : control.status === 'passed' ? 'ok' : 'muted'}">${t.controlStatus[control.status]}${control.reason ? html` (${control.reason})` : ''}</p>`;
  if (control.checks.length === 0) return head;
  return html`${head}<table><tr><th>${t.status}</th><th>${t.kind}</th><th>${t.name}</th><th>${t.method}</th><th>${t.message}</th></tr>
${control.checks.map((c) => html`<tr data-control-status="${c.status}"><td>${t.controlCheck[c.status]}</td><td>${c.kind}</td><td>${c.name}</td><td>${t.controlMethod[c.method]}</td><td>${c.summary}</td></tr>`)}
</table>`;
}

function finding(f: Finding): Html {
  return html`<tr><td>${f.rule}</td><td><code>${f.subject ?? ''}</code></td><td>${f.message}</td><td><code>${show(f.expected)}</code></td><td><code>${show(f.actual)}</code></td></tr>`;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function sandbox(result: DrillResult, lang: Lang): Html {
  const t = STRINGS[lang];
  const notes = [...(result.sandbox?.isolation.notes ?? []), ...result.notes];
  const s = result.sandbox;
  return html`${s
    ? html`<table>
<tr><th scope="row">${t.driver}</th><td>${s.driver}</td></tr>
<tr><th scope="row">${t.networkIsolated}</th><td>${s.isolation.networkIsolated ? html`<span class="ok">${t.yes}</span>` : html`<span class="bad">${t.no}</span>`}</td></tr>
<tr><th scope="row">${t.network}</th><td>${s.isolation.network}</td></tr>
<tr><th scope="row">${t.backupProtection}</th><td>${s.isolation.backupProtection}</td></tr>
${Object.entries(s.description).map(([k, v]) => html`<tr><th scope="row">${k}</th><td><code>${v}</code></td></tr>`)}
</table>`
    : html`<p class="muted">${t.noSandbox}</p>`}
${notes.length > 0 ? html`<h3>${t.notes}</h3><ul>${notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}`;
}

function evidence(status: EvidenceStatus, lang: Lang): Html {
  const t = STRINGS[lang];
  return evidenceSection(status, lang, { chainFirst: t.chainFirst, chainAfter: t.chainAfter, digestLabel: t.resultDigest });
}

function compliance(result: DrillResult, lang: Lang, data: ComplianceData): Html {
  const t = STRINGS[lang];
  const { mapped, notMapped } = mapCompliance(result, data);
  return html`${mapped.length === 0
    ? html`<p id="compliance-none">${t.complianceNone}</p>`
    : html`<table id="compliance"><tr><th>${t.framework}</th><th>${t.clause}</th><th>${t.why}</th><th>${t.source}</th></tr>
${mapped.map(
  (e) => html`<tr data-control="${e.id}"><td>${e.framework[lang]}</td><td><strong>${e.clause}</strong>${e.partial ? html` <span class="tag">${t.partial}</span>` : ''}${e.confirmed ? '' : html` <span class="tag">${t.unconfirmed}</span>`}<br><span class="muted">${e.title[lang]}</span></td><td>${e.reason[lang]}${e.quote ? html`<br><q>${e.quote}</q>` : ''}${e.unconfirmed ? html`<br><span class="muted">${e.unconfirmed[lang]}</span>` : ''}${e.note ? html`<br><span class="muted">${e.note[lang]}</span>` : ''}</td><td>${e.source.publisher}: ${e.source.document}${e.source.url ? html`<br><code>${e.source.url}</code>` : ''}</td></tr>`,
)}
</table>`}
${notMapped.length > 0 ? html`<h3>${t.notMapped}</h3><ul>${notMapped.map(({ entry, missing }) => html`<li>${entry.clause} (${entry.framework[lang]}): ${t.missing}: ${missing.map((m) => data.conditions[m][lang]).join('; ')}</li>`)}</ul>` : ''}
<h3>${t.limits}</h3>
<ul class="limits" id="limits">${data.limits[lang].map((l) => html`<li>${l}</li>`)}</ul>`;
}

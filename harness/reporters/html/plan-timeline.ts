/**
 * The plan report's timeline: inline SVG (no script, no external asset), one row per system, one bar
 * per phase of its recovery time (access, restore, verify, ready) placed by its offset from the plan's
 * start, and a vertical line per milestone target (red when the milestone missed it; at the right edge,
 * marked →, when it lies beyond the plan's end).
 */
import type { PhaseName } from '../../drill/result.ts';
import type { PlanResult } from '../../plan/result.ts';
import { formatDuration } from '../../units.ts';
import { html, type Html } from './html.ts';

export const TIMELINE_PHASES: PhaseName[] = ['access', 'restore', 'verify', 'ready'];
const COLOURS: Record<string, string> = { access: '#8e6bbf', restore: '#2f6db5', verify: '#1b7f3b', ready: '#9a6700' };
const LABEL = 170;
const PLOT = 600;
const ROW = 26;
const TOP = 22;

export function timelineSvg(result: PlanResult, label: string): Html {
  const targets = result.milestones.filter((m) => m.targetMs !== undefined);
  // The plan's own time fills the chart (a 30 min target must not squeeze a 20 s run into a line); a
  // target beyond it is drawn at the right edge, its label saying it lies further on.
  const span = Math.max(1, result.durationMs, ...result.systems.map((s) => s.endMs));
  const x = (ms: number) => (LABEL + (Math.min(ms, span) / span) * PLOT).toFixed(1);
  const w = (ms: number) => Math.max(1, (ms / span) * PLOT).toFixed(1);
  const height = TOP + ROW * result.systems.length + 24;
  const rows = result.systems.map((s, i) => {
    const y = TOP + i * ROW;
    const bars = s.phases.filter((p) => TIMELINE_PHASES.includes(p.name));
    return html`<g data-system="${s.name}">
<text x="4" y="${y + 16}" font-size="12">${s.name}</text>
<line x1="${x(s.startMs)}" x2="${x(s.endMs)}" y1="${y + 12}" y2="${y + 12}" stroke="#b0b4ba" stroke-width="2"/>
${bars.map((p) => html`<rect class="phase" data-phase="${p.name}" x="${x(p.startMs)}" y="${y + 4}" width="${w(p.durationMs)}" height="16" fill="${COLOURS[p.name] ?? '#888'}"><title>${s.name} ${p.name}: +${formatDuration(p.startMs)}, ${formatDuration(p.durationMs)} (${p.status})</title></rect>`)}
</g>`;
  });
  const marks = targets.map((m) => {
    const late = m.ok === false;
    return html`<g class="milestone" data-milestone="${m.name}" data-late="${String(late)}">
<line x1="${x(m.targetMs!)}" x2="${x(m.targetMs!)}" y1="${TOP - 6}" y2="${height - 20}" stroke="${late ? '#b3261e' : '#5f6368'}" stroke-width="${late ? 2 : 1}" stroke-dasharray="${late ? '' : '4 3'}"/>
<text x="${x(m.targetMs!)}" y="12" font-size="11" text-anchor="${m.targetMs! > span ? 'end' : 'middle'}" fill="${late ? '#b3261e' : '#5f6368'}">${m.name} ${formatDuration(m.targetMs!)}${m.targetMs! > span ? ' →' : ''}${late ? ' ✘' : ''}</text>
</g>`;
  });
  return html`<svg class="plot timeline" role="img" aria-label="${label}" width="${LABEL + PLOT + 20}" height="${height}" viewBox="0 0 ${LABEL + PLOT + 20} ${height}" xmlns="http://www.w3.org/2000/svg">
${rows}
${marks}
<text x="${LABEL}" y="${height - 6}" font-size="11" fill="#5f6368">+0</text>
<text x="${LABEL + PLOT}" y="${height - 6}" font-size="11" fill="#5f6368" text-anchor="end">+${formatDuration(span)}</text>
</svg>`;
}

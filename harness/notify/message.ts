/**
 * What a notification says, and the three shapes it is sent in. Only summary fields leave the host
 * (scenario, verdict, reason, point, times, where the report is): never check findings or logs. Text
 * that may come from the backup (a file name in the reason) is cut short and escaped for the
 * receiver's markup, so a hostile name cannot ping a channel or hide a link.
 */
import path from 'node:path';
import type { DrillResult, Verdict } from '../drill/result.ts';
import { REPORT_FILE } from '../reporters/html/report-reporter.ts';
import { formatDuration } from '../units.ts';
import type { NotifyFormat } from './target.ts';

export const MESSAGE_SCHEMA = 'restore-drill/notification@1';
const MAX_TEXT = 500;

export interface DrillSummary {
  event: 'drill';
  scenario: string;
  system?: string;
  verdict: Verdict;
  reason: string;
  errorCode?: string;
  runId: string;
  point?: { id: string; time: string };
  startedAt: string;
  endedAt: string;
  rto: { actualMs?: number; targetMs?: number };
  rpo: { actualMs?: number; targetMs?: number };
  host: string;
  report: string;
}

export interface OverdueSummary {
  event: 'overdue';
  scenario: string;
  system?: string;
  lastVerdict: Verdict;
  lastDrillAt: string;
  /** The end of the last PASS; absent when the system never passed. */
  lastPassAt?: string;
  intervalMs: number;
  report: string;
}

export type Summary = DrillSummary | OverdueSummary;

export function drillSummary(result: DrillResult): DrillSummary {
  return {
    event: 'drill',
    scenario: result.scenario.name,
    system: result.scenario.system,
    verdict: result.verdict,
    reason: clip(result.reason),
    errorCode: result.error?.code,
    runId: result.runId,
    point: result.restorePoint ? { id: result.restorePoint.id, time: result.restorePoint.time } : undefined,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    rto: { actualMs: result.rto.actualMs, targetMs: result.rto.targetMs },
    rpo: { actualMs: result.rpo.actualMs, targetMs: result.rpo.targetMs },
    host: result.host.hostname,
    report: path.resolve(result.resultsDir, REPORT_FILE),
  };
}

/** The body posted for a summary, in the receiver's shape. */
export function messageBody(format: NotifyFormat, summary: Summary): unknown {
  if (format === 'json') return { schema: MESSAGE_SCHEMA, ...summary };
  const { title, lines } = words(summary);
  if (format === 'slack') {
    const text = `${slackEscape(title)}\n${lines.map(slackEscape).join('\n')}`;
    return {
      text,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: lines.map(slackEscape).join('\n') } },
      ],
    };
  }
  // Teams: an Adaptive Card in the message form that Workflows' "post to a channel when a webhook request is received" takes.
  const color = summary.event === 'drill' && summary.verdict === 'LATE' ? 'Warning' : 'Attention';
  return {
    type: 'message',
    summary: teamsEscape(title),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: teamsEscape(title), weight: 'Bolder', size: 'Medium', color, wrap: true },
            ...lines.map((line) => ({ type: 'TextBlock', text: teamsEscape(line), wrap: true })),
          ],
        },
      },
    ],
  };
}

function words(summary: Summary): { title: string; lines: string[] } {
  const who = summary.system ? `${summary.scenario} (${summary.system})` : summary.scenario;
  if (summary.event === 'overdue') {
    const since = summary.lastPassAt ? `last PASS ${summary.lastPassAt}` : 'never passed a drill';
    return {
      title: `restore-drill: ${who} is overdue for a restore drill`,
      lines: [`${since}; drill interval ${formatDuration(summary.intervalMs)}`, `last drill ${summary.lastDrillAt}: ${summary.lastVerdict}`, `index: ${summary.report}`],
    };
  }
  const lines = [summary.reason];
  if (summary.point) lines.push(`restore point ${summary.point.id} from ${summary.point.time}`);
  if (summary.rto.actualMs !== undefined) lines.push(`recovered in ${formatDuration(summary.rto.actualMs)}${summary.rto.targetMs !== undefined ? ` (RTO target ${formatDuration(summary.rto.targetMs)})` : ''}`);
  lines.push(`drill ${summary.runId} on ${summary.host}, ${summary.startedAt} to ${summary.endedAt}`, `report: ${summary.report}`);
  return { title: `restore-drill: ${summary.verdict} ${who}`, lines };
}

/** At most MAX_TEXT characters, on one line. */
function clip(text: string): string {
  const line = text.replace(/[\r\n\t]+/g, ' ');
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}…` : line;
}

/** Slack's three control characters: so `<!channel>` or `<https://evil|click>` in a name stays text. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Teams renders markdown in a card's text (and some clients HTML): both made inert. */
function teamsEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]()#|~])/g, '\\$1');
}

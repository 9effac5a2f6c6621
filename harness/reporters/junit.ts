/** Writes junit.xml beside result.json: one testsuite per scenario, one testcase per check. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diffOf, type CheckResult } from '../checks/check.ts';
import type { DrillResult } from '../drill/result.ts';
import type { Reporter } from './reporter.ts';

export function junitReporter(): Reporter {
  return {
    name: 'junit',
    'drill:end': async ({ result }) => {
      await mkdir(result.resultsDir, { recursive: true });
      await writeFile(path.join(result.resultsDir, 'junit.xml'), junitXml(result));
    },
  };
}

export function junitXml(result: DrillResult): string {
  const cases = result.checks.map((check) => testcase(result, check));
  // The drill's own outcome (restore, targets) is a testcase too, so an error before any check still shows.
  cases.unshift(drillCase(result));
  if (result.negativeControl) cases.push(controlCase(result));
  const failures = cases.filter((c) => c.includes('<failure')).length;
  const errors = cases.filter((c) => c.includes('<error')).length;
  const seconds = (Date.parse(result.endedAt) - Date.parse(result.startedAt)) / 1000;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="restore-drill" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">`,
    `  <testsuite name="${xml(result.scenario.name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}" timestamp="${result.startedAt}" hostname="${xml(result.host.hostname)}">`,
    '    <properties>',
    ...[
      ['verdict', result.verdict],
      ['run-id', result.runId],
      ['restore-point', result.restorePoint?.id ?? ''],
      ['scenario-digest', result.scenario.digest],
    ].map(([k, v]) => `      <property name="${k}" value="${xml(v!)}"/>`),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function drillCase(result: DrillResult): string {
  const open = `    <testcase classname="${xml(result.scenario.name)}" name="drill verdict" time="${((Date.parse(result.endedAt) - Date.parse(result.startedAt)) / 1000).toFixed(3)}">`;
  let body = '';
  if (result.verdict === 'ERROR') body = `\n      <error message="${xml(result.reason)}" type="${xml(result.error?.code ?? 'ERROR')}"/>`;
  else if (result.verdict !== 'PASS') body = `\n      <failure message="${xml(result.reason)}" type="${result.verdict}"/>`;
  return `${open}${body}${body ? '\n    ' : ''}</testcase>`;
}

/** The negative control as one testcase: an error when a check proved nothing, skipped when it did not run. */
function controlCase(result: DrillResult): string {
  const control = result.negativeControl!;
  const seconds = (result.phases.find((p) => p.name === 'control')?.durationMs ?? 0) / 1000;
  const open = `    <testcase classname="${xml(result.scenario.name)}" name="negative control" time="${seconds.toFixed(3)}">`;
  const lines = control.checks.map((c) => `${c.status}: ${c.kind} ${c.name}: ${c.summary}`).join('\n');
  if (control.status === 'vacuous') {
    const vacuous = control.checks.filter((c) => c.status === 'vacuous').map((c) => `${c.kind} "${c.name}"`).join(', ');
    return `${open}\n      <error message="${xml(`a check passed on nothing: ${vacuous}`)}" type="CHECK_VACUOUS">${xml(lines)}</error>\n    </testcase>`;
  }
  if (control.status !== 'passed') return `${open}\n      <skipped message="${xml(`${control.status}${control.reason ? `: ${control.reason}` : ''}`)}"/>\n    </testcase>`;
  return `${open}\n      <system-out>${xml(lines)}</system-out>\n    </testcase>`;
}

function testcase(result: DrillResult, check: CheckResult): string {
  const open = `    <testcase classname="${xml(result.scenario.name)}.${check.kind}" name="${xml(check.name)}" time="${(check.durationMs / 1000).toFixed(3)}">`;
  if (check.status === 'pass') return `${open}</testcase>`;
  const detail = check.findings.map((f) => f.message).join('\n') + (check.findingCount > check.findings.length ? `\n... and ${check.findingCount - check.findings.length} more` : '');
  const diff = diffOf(check) ? `\n\n${diffOf(check)}` : '';
  const log = check.logTail ? `\n\nlast lines of the service's log:\n${check.logTail}` : '';
  const tag = check.status === 'error' ? 'error' : 'failure';
  return `${open}\n      <${tag} message="${xml(check.summary)}" type="${check.kind}">${xml(detail + diff + log)}</${tag}>\n    </testcase>`;
}

function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

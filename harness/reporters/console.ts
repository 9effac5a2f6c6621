/**
 * The operator's view: a live progress line while drills run (files and bytes restored and verified),
 * then a verdict per scenario with what failed and where the results are.
 */
import { emulatedRto } from '../drill/emulated-rto.ts';
import path from 'node:path';
import ora, { type Ora } from 'ora';
import type { DrillResult, PhaseName, Verdict } from '../drill/result.ts';
import { formatBytes, formatDuration } from '../units.ts';
import { diffOf } from '../checks/check.ts';
import type { Reporter } from './reporter.ts';
import { formatLocalTime } from './local-time.ts';
import { formatProgress, ProgressRate } from './progress-line.ts';

export interface ConsoleReporterOptions {
  out?: NodeJS.WriteStream;
  /** Progress stream (stderr); a live spinner when it is a terminal, plain lines otherwise. */
  progress?: NodeJS.WriteStream;
}

/**
 * Whether progress is shown live on this stream: a terminal, and not under CI. A terminal that says it
 * is 0 columns wide (some `script` and `docker exec -t` set-ups) is not: the spinner would count its
 * line as infinitely many rows to clear and write escape codes without end.
 */
export function liveProgress(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI && stream.columns !== 0;
}

const VERDICT_MARK: Record<Verdict, string> = { PASS: '✔ PASS', FAIL: '✘ FAIL', LATE: '⚠ LATE', ERROR: '✘ ERROR' };

export function consoleReporter(options: ConsoleReporterOptions = {}): Reporter {
  const out = options.out ?? process.stdout;
  const progressStream = options.progress ?? process.stderr;
  const live = liveProgress(progressStream);
  const running = new Map<string, string>();
  let spinner: Ora | undefined;
  const rates = new Map<string, ProgressRate>();

  const refresh = () => {
    if (!spinner) return;
    spinner.text = [...running.entries()].map(([name, state]) => `${name}: ${state}`).join('  |  ');
  };
  const print = (text: string) => {
    if (spinner?.isSpinning) {
      spinner.clear();
      out.write(text + '\n');
      spinner.render();
    } else out.write(text + '\n');
  };
  const setState = (scenario: string, state: string, plain: boolean) => {
    running.set(scenario, state);
    if (live) refresh();
    else if (plain) progressStream.write(`  ${scenario}: ${state}\n`);
  };

  return {
    name: 'console',
    'run:start': ({ scenarios, sandbox }) => {
      out.write(`restore-drill: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'}, ${sandbox} sandbox\n`);
      if (live) spinner = ora({ stream: progressStream, discardStdin: false }).start();
    },
    note: ({ message }) => print(`  note: ${message}`),
    'drill:start': ({ drill }) => setState(drill.scenario, 'starting', true),
    'phase:start': ({ drill, phase }) => {
      rates.delete(`${drill.scenario}\0${phase}`);
      setState(drill.scenario, PHASE_WORDS[phase], true);
    },
    // Bytes, rate and time left on the live line only: a log (not a terminal) gets the phases, not a line per update.
    progress: ({ drill, phase, files, bytes, totalBytes }) => {
      if (!live) return;
      const key = `${drill.scenario}\0${phase}`;
      const rate = rates.get(key) ?? rates.set(key, new ProgressRate()).get(key)!;
      setState(drill.scenario, `${PHASE_WORDS[phase]} ${formatProgress({ files, bytes, totalBytes }, rate.sample(bytes, Date.now()))}`, false);
    },
    'drill:end': ({ drill, result }) => {
      running.delete(drill.scenario);
      refresh();
      print(describeResult(result));
    },
    'run:end': ({ results, exitCode }) => {
      spinner?.stop();
      const counts = new Map<Verdict, number>();
      for (const r of results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
      const summary = (['PASS', 'FAIL', 'LATE', 'ERROR'] as Verdict[]).map((v) => `${counts.get(v) ?? 0} ${v}`).join(', ');
      out.write(`\n${summary} (exit code ${exitCode})\n`);
    },
  };
}

const PHASE_WORDS: Record<PhaseName, string> = {
  access: 'reaching the offline copy',
  select: 'choosing the restore point',
  provision: 'preparing the sandbox',
  restore: 'restoring',
  verify: 'verifying',
  ready: 'checking readiness',
  control: 'proving the checks can fail',
  teardown: 'removing the sandbox',
};

const CONTROL_MARK = { proven: '✔', vacuous: '✘', 'not-applicable': '-' } as const;

/** The negative control: one line, and one per check when it ran. */
function describeControl(result: DrillResult): string[] {
  const control = result.negativeControl;
  if (!control) return [];
  const head = `    negative control: ${control.status}${control.reason ? ` (${control.reason})` : ''}`;
  return [head, ...control.checks.map((c) => `      ${CONTROL_MARK[c.status]} ${c.kind}: ${c.name}: ${c.summary}`)];
}

function indent(text: string, spaces: number): string {
  return text.split('\n').map((line) => ' '.repeat(spaces) + line).join('\n');
}

export function describeResult(result: DrillResult): string {
  const title = result.scenario.system ? `${result.scenario.name} (${result.scenario.system})` : result.scenario.name;
  const lines = [`${VERDICT_MARK[result.verdict]}  ${title}: ${result.reason}`];
  if (result.restorePoint) {
    const age = result.rpo.actualMs !== undefined ? `, ${formatDuration(result.rpo.actualMs)} old` : '';
    const target = result.rpo.targetMs !== undefined ? ` (RPO target ${formatDuration(result.rpo.targetMs)})` : '';
    lines.push(`    restore point ${result.restorePoint.id} from ${formatLocalTime(result.restorePoint.time)}${age}${target}`);
  }
  if (result.rto.actualMs !== undefined) {
    const target = result.rto.targetMs !== undefined ? ` against an RTO target of ${formatDuration(result.rto.targetMs)}` : '';
    const emulated = emulatedRto(result);
    const declared = result.rto.declaredMs ? `, of which ${formatDuration(result.rto.declaredMs)} declared (access.wait), not measured` : '';
    // A drill whose checks failed did not recover the system: its time is only how long it took to find out.
    const failed = result.checks.filter((c) => c.status !== 'pass').length;
    const lead = failed === 0 ? 'recovered in' : `not recovered: ${failed} check${failed === 1 ? '' : 's'} failed after`;
    lines.push(`    ${lead} ${formatDuration(result.rto.actualMs)}${target}${declared}${emulated ? ` (${emulated})` : ''}`);
  }
  for (const warning of result.restored?.warnings ?? []) lines.push(`    warning: ${warning}`);
  const forecast = result.rto.forecast;
  if (forecast) {
    const against = forecast.targetMs !== undefined ? ` against the RTO target of ${formatDuration(forecast.targetMs)}${forecast.ok ? '' : ': OVER THE TARGET'}` : '';
    lines.push(
      `    FORECAST (not measured): a full restore of ${formatBytes(forecast.totalBytes)} would take about ${formatDuration(forecast.forecastMs)}${against}`,
      `      from a sample of ${formatBytes(forecast.sampleBytes)} (${forecast.samplePaths.join(', ')}) restored at ${formatBytes(forecast.bytesPerSecond)}/s`,
    );
  }
  for (const check of result.checks) {
    const mark = check.status === 'pass' ? '✔' : '✘';
    lines.push(`    ${mark} ${check.kind}: ${check.name}: ${check.summary}`);
    if (check.status !== 'pass') {
      for (const finding of check.findings.slice(0, 10)) lines.push(`        - ${finding.message}`);
      if (check.findingCount > 10) lines.push(`        ... and ${check.findingCount - 10} more (see result.json)`);
      const diff = diffOf(check);
      if (diff) lines.push(indent(diff, 8));
      if (check.logTail) lines.push(`        last lines of the service's log:`, indent(check.logTail.trimEnd(), 10));
    }
  }
  lines.push(...describeControl(result));
  if (result.sandbox && !result.sandbox.isolation.networkIsolated) lines.push(`    warning: the sandbox was not cut off from the network`);
  lines.push(`    results: ${path.relative(process.cwd(), result.resultsDir) || result.resultsDir}`);
  return lines.join('\n');
}

/**
 * The negative control: after the checks pass, prove that they can fail. The files check runs over a
 * manipulated view of the restore (files-control.ts); every other check runs again, with short
 * deadlines, in a fresh sandbox into which nothing was restored. A check that passes there proves
 * nothing about the backup: it is reported as vacuous and the drill's verdict is ERROR.
 * Its own phase, `control`, outside the RTO.
 */
import type { Check, CheckKind } from '../checks/check.ts';
import { manifestLocator } from '../checks/expected-manifest.ts';
import { asDrillError, InputError } from '../errors.ts';
import type { Scenario } from '../scenario/load.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import type { Reached } from './drill-result.ts';
import { filesControl } from './files-control.ts';
import type { ControlCheck, NegativeControl } from './result.ts';
import { provisionEmpty, type PointWork } from './restore-point.ts';
import type { TaskRunner } from './task-runner.ts';

/** The deadline and per-try timeout of every check on the empty restore: nothing there is worth waiting for. */
export const CONTROL_DEADLINE_MS = 10_000;
const SUMMARY_SHOWN = 300;

export interface ControlInput {
  scenario: Scenario;
  work: PointWork;
  runner: TaskRunner;
  reached: Reached;
  /** The sandbox the checks passed in: only read (one file copied out), never changed. */
  restored: Sandbox;
  checksFor(scenario: Scenario): Check[];
}

/** Runs the control phase when it applies, records it in `reached.control`; throws CHECK_VACUOUS when a check proved nothing. */
export async function negativeControlPhase(input: ControlInput): Promise<void> {
  const { scenario, reached } = input;
  if (!scenario.spec.negative_control) return;
  if (reached.checks.length === 0) {
    reached.control = { status: 'not-run', reason: 'the scenario has no check to prove', checks: [] };
    return;
  }
  if (reached.checks.some((c) => c.status !== 'pass')) {
    reached.control = { status: 'not-run', reason: 'not every check passed', checks: [] };
    return;
  }
  await input.runner.judged('control', async () => {
    reached.control = await runControl(input);
    return reached.control.status === 'passed' ? 'passed' : 'failed';
  });
  if (reached.control?.status === 'vacuous') throw vacuousError(reached.control.checks.filter((c) => c.status === 'vacuous'));
}

/** What result.json says of a control that never ran (the drill ended first, or it is off). */
export function controlNotReached(scenario: Scenario, reached: Reached): NegativeControl {
  if (reached.control) return reached.control;
  if (!scenario.spec.negative_control) return { status: 'off', reason: 'negative_control: false in the scenario', checks: [] };
  return { status: 'not-run', reason: 'the drill ended before its checks passed', checks: [] };
}

async function runControl(input: ControlInput): Promise<NegativeControl> {
  const { scenario, reached, work } = input;
  const checks: ControlCheck[] = [];
  const files = scenario.spec.expect.files;
  for (const ran of reached.checks) {
    if (ran.kind === 'files' && files) checks.push(await filesControl(files, manifestLocator(files.manifest, (file) => scenario.resolve(file)), input.restored, work, reached.point));
    if (ran.kind === 'ransomware') checks.push({ kind: 'ransomware', name: ran.name, method: 'none', status: 'not-applicable', summary: 'looks for signs of encryption, which an empty restore rightly has none of; its rules are proven by their own tests' });
  }
  const others = input.checksFor(withShortDeadlines(scenario)).filter((c) => c.kind !== 'files' && c.kind !== 'ransomware');
  if (others.length > 0) {
    const empty = await provisionEmpty(work, 'control');
    input.runner.defer('the negative control sandbox could not be removed', () => empty.dispose());
    for (const check of others) checks.push(await onEmptyRestore(check, empty, work));
  }
  return { status: checks.some((c) => c.status === 'vacuous') ? 'vacuous' : 'passed', checks };
}

async function onEmptyRestore(check: Check, sandbox: Sandbox, work: PointWork): Promise<ControlCheck> {
  const base = { kind: check.kind, name: check.name, method: 'empty-restore' as const };
  try {
    const result = await check.run({ sandbox, pool: work.pool, clock: work.clock, signal: work.signal, onProgress: () => {} });
    if (result.status === 'pass') return { ...base, status: 'vacuous', summary: `passed on an empty restore: ${WHY_VACUOUS[check.kind]}` };
    return { ...base, status: 'proven', summary: `did not pass on an empty restore: ${shorten(result.summary)}` };
  } catch (err) {
    if (work.signal.aborted) throw err;
    return { ...base, status: 'proven', summary: `could not pass on an empty restore: ${shorten(asDrillError(err).message)}` };
  }
}

/** Why a check of each kind that passes on nothing proves nothing, in the words the operator reads. */
const WHY_VACUOUS: Record<CheckKind, string> = {
  files: 'the manifest lists no file',
  text: 'the file it compares does not come from the restore',
  sql: 'the database answered as expected without the restored data (a database of the sandbox image, not of the backup)',
  http: 'something not from the backup answered (a service of the sandbox image, not one started from the restored data)',
  command: 'its command succeeds without the restored data (like "true", or a command that tests only the sandbox image)',
  canary: 'the timestamp it reads does not come from the restored data',
  ransomware: 'it found no sign of encryption in nothing',
  boot: 'a machine with no disk of the backup showed the text it waits for',
  'guest-agent': 'an agent answered though no disk of the backup was booted',
  tcp: 'a port answered though no disk of the backup was booted',
  screen: 'a screen was judged ready though no disk of the backup was booted',
};

function vacuousError(vacuous: ControlCheck[]): InputError {
  const named = vacuous.map((c) => `the ${c.kind} check "${c.name}" ${c.summary}`).join('; ');
  return new InputError(
    'CHECK_VACUOUS',
    `${named}. Such a check proves nothing about the backup: make it test something only the restored backup can give (a file, a table, a service started by the restore steps), or turn the control off with negative_control: false in the scenario.`,
  );
}

/** The scenario with every deadline and timeout capped, for the empty restore. */
function withShortDeadlines(scenario: Scenario): Scenario {
  const cap = (ms: number) => Math.min(ms, CONTROL_DEADLINE_MS);
  const expect = scenario.spec.expect;
  const capped = {
    ...expect,
    command: expect.command?.map((c) => ({ ...c, timeout: cap(c.timeout), until: c.until === undefined ? undefined : cap(c.until) })),
    http: expect.http?.map((h) => ({ ...h, until: cap(h.until), timeout: cap(h.timeout) })),
    sql: expect.sql?.map((s) => ({ ...s, timeout: cap(s.timeout) })),
  };
  return { ...scenario, spec: { ...scenario.spec, expect: capped } };
}

function shorten(text: string): string {
  return text.length > SUMMARY_SHOWN ? `${text.slice(0, SUMMARY_SHOWN)}...` : text;
}

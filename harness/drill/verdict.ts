/** Verdicts and exit codes: the contract CI systems and outside tools rely on. */
import type { CheckResult } from '../checks/check.ts';
import type { DrillError, ErrorKind } from '../errors.ts';
import type { TargetMeasure, Verdict } from './result.ts';

export const EXIT = {
  PASS: 0,
  FAIL: 1,
  LATE: 2,
  ERROR: 3,
  USAGE: 64,
  INVALID_SCENARIO: 65,
  INTERRUPTED: 130,
} as const;

/** With several drills, the first of these that any drill has decides the exit code. */
const PRECEDENCE: Verdict[] = ['FAIL', 'ERROR', 'LATE', 'PASS'];

export function exitCodeFor(verdicts: Verdict[]): number {
  for (const verdict of PRECEDENCE) if (verdicts.includes(verdict)) return EXIT[verdict];
  return EXIT.PASS;
}

export interface VerdictInput {
  error?: DrillError;
  checks: CheckResult[];
  rto: TargetMeasure;
  rpo: TargetMeasure;
}

/** The verdict of a drill ended by an error, by the error's kind (error-codes.ts), and how the reason begins. */
export const VERDICT_OF_ERROR: Record<ErrorKind, { verdict: Verdict; reason: string }> = {
  backup: { verdict: 'FAIL', reason: 'the backup did not restore' },
  infrastructure: { verdict: 'ERROR', reason: 'the drill could not be carried out' },
  input: { verdict: 'ERROR', reason: 'the drill could not be carried out: fix the scenario or the files it names' },
  harness: { verdict: 'ERROR', reason: 'restore-drill itself failed' },
};

export function decideVerdict(input: VerdictInput): { verdict: Verdict; reason: string } {
  if (input.error) {
    const { verdict, reason } = VERDICT_OF_ERROR[input.error.kind];
    return { verdict, reason: `${reason}: ${input.error.message}` };
  }
  const broken = input.checks.filter((c) => c.status === 'error');
  if (broken.length > 0) return { verdict: 'ERROR', reason: `check ${broken[0]!.name} could not run: ${broken[0]!.summary}` };
  const failed = input.checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) {
    return { verdict: 'FAIL', reason: failed.map((c) => `${c.kind} check "${c.name}" failed: ${c.summary}`).join('; ') };
  }
  const late = [input.rto.ok === false ? 'RTO' : '', input.rpo.ok === false ? 'RPO' : ''].filter(Boolean);
  if (late.length > 0) return { verdict: 'LATE', reason: `restored and verified, but over the ${late.join(' and ')} target` };
  return { verdict: 'PASS', reason: 'restored, intact and ready within the targets' };
}

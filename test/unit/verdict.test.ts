import assert from 'node:assert/strict';
import type { CheckResult } from '../../harness/checks/check.ts';
import { decideVerdict, exitCodeFor } from '../../harness/drill/verdict.ts';
import { BackupError, InfrastructureError } from '../../harness/errors.ts';

const measure = (ok?: boolean) => ({ ok, measured: '' });
const check = (status: CheckResult['status']): CheckResult => ({
  kind: 'files', name: 'files', phase: 'verify', status, summary: status, findings: [], findingCount: 0, durationMs: 1,
});

describe('verdicts and exit codes', () => {
  it('orders exit codes FAIL, ERROR, LATE, PASS', () => {
    assert.equal(exitCodeFor(['PASS', 'PASS']), 0);
    assert.equal(exitCodeFor(['PASS', 'LATE']), 2);
    assert.equal(exitCodeFor(['LATE', 'ERROR']), 3);
    assert.equal(exitCodeFor(['ERROR', 'FAIL', 'LATE']), 1);
    assert.equal(exitCodeFor([]), 0);
  });

  it('a backup error is FAIL, an infrastructure error is ERROR', () => {
    const base = { checks: [], rto: measure(), rpo: measure() };
    assert.equal(decideVerdict({ ...base, error: new BackupError('ARCHIVE_UNREADABLE', 'archive damaged') }).verdict, 'FAIL');
    assert.equal(decideVerdict({ ...base, error: new InfrastructureError('DOCKER_UNREACHABLE', 'daemon gone') }).verdict, 'ERROR');
  });

  it('a failed check beats a missed target', () => {
    assert.equal(decideVerdict({ checks: [check('fail')], rto: measure(false), rpo: measure(true) }).verdict, 'FAIL');
  });

  it('LATE names the target that was missed', () => {
    const { verdict, reason } = decideVerdict({ checks: [check('pass')], rto: measure(true), rpo: measure(false) });
    assert.equal(verdict, 'LATE');
    assert.match(reason, /RPO/);
  });

  it('PASS needs every check passing and no target missed', () => {
    assert.equal(decideVerdict({ checks: [check('pass')], rto: measure(true), rpo: measure(undefined) }).verdict, 'PASS');
    assert.equal(decideVerdict({ checks: [check('error')], rto: measure(true), rpo: measure(true) }).verdict, 'ERROR');
  });
});

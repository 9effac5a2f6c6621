/** The one table that classifies errors into verdicts (harness/error-codes.ts): a test per kind, and the situations once classified two ways. */
import assert from 'node:assert/strict';
import { ERROR_CODES, kindOf, type ErrorCode } from '../../harness/error-codes.ts';
import { BackupError, DrillError, InfrastructureError, InputError, asDrillError } from '../../harness/errors.ts';
import { decideVerdict, VERDICT_OF_ERROR } from '../../harness/drill/verdict.ts';

const measure = { measured: '' };
const verdictOf = (error: DrillError) => decideVerdict({ error, checks: [], rto: measure, rpo: measure });

describe('the error table: every error kind has one verdict', () => {
  const rows: [string, DrillError, string, RegExp][] = [
    ['backup: the backup did not come back', new BackupError('ARCHIVE_UNREADABLE', 'the archive is truncated'), 'FAIL', /^the backup did not restore: the archive is truncated/],
    ['infrastructure: the host or a tool failed', new InfrastructureError('DOCKER_UNREACHABLE', 'no engine'), 'ERROR', /^the drill could not be carried out: no engine/],
    ['input: the scenario or a file it names', new InputError('MANIFEST_MISSING', 'no manifest'), 'ERROR', /fix the scenario or the files it names: no manifest/],
    ['harness: restore-drill itself', asDrillError(new TypeError('x is undefined')), 'ERROR', /^restore-drill itself failed: .*please report/],
  ];
  for (const [title, error, verdict, reason] of rows) {
    it(title, () => {
      const decided = verdictOf(error);
      assert.equal(decided.verdict, verdict);
      assert.match(decided.reason, reason);
      assert.equal(VERDICT_OF_ERROR[error.kind].verdict, verdict);
    });
  }

  it('every code in the table has a kind the verdict table knows', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) assert.ok(VERDICT_OF_ERROR[kindOf(code)], code);
  });

  it('a code decides the kind, whoever throws it', () => {
    assert.equal(new DrillError('RESTORE_TIMEOUT', 'slow').kind, 'backup');
    assert.equal(new DrillError('UNEXPECTED', 'bug').kind, 'harness');
  });
});

describe('situations that were classified two ways, now once', () => {
  it('a file the scenario names is missing: input, whichever check needs it', () => {
    for (const code of ['MANIFEST_MISSING', 'EXPECTED_FILE_MISSING', 'EXPECTED_ROWS_MISSING', 'INDICATORS_MISSING'] as const) assert.equal(kindOf(code), 'input', code);
  });

  it('a restore that does not finish in time did not come back: backup, by a tool or a step', () => {
    for (const code of ['RESTORE_TIMEOUT', 'RESTORE_STEP_TIMEOUT', 'RESTORE_STEP_FAILED'] as const) assert.equal(kindOf(code), 'backup', code);
  });

  it('an error that is not restore-drill own is a harness bug, not the backup', () => {
    const error = asDrillError(new RangeError('boom'));
    assert.equal(error.code, 'UNEXPECTED');
    assert.equal(error.kind, 'harness');
  });
});

import assert from 'node:assert/strict';
import { COMPLIANCE, mapCompliance } from '../../harness/reporters/compliance.ts';
import { FILES_PASS, READY_PASS, sampleResult } from '../helpers/results.ts';
import type { CheckResult } from '../../harness/checks/check.ts';

const ids = (result: ReturnType<typeof sampleResult>) => mapCompliance(result).mapped.map((e) => e.id);

describe('unit: compliance mapping', function () {
  it('has every control the issue names, each with a source and bilingual text', function () {
    const clauses = COMPLIANCE.entries.map((e) => e.clause);
    for (const wanted of ['経営管理編 3.4.1', '企画管理編 11 ', '企画管理編 11.2', '3-(2)', 'A.8.13', 'A.5.30', 'PR.DS-11', 'RC.RP-03', 'RC.RP-05', '11.5', '164.308(a)(7)(ii)(A)', '164.308(a)(7)(ii)(B)', '164.308(a)(7)(ii)(D)']) {
      assert.ok(clauses.some((c) => `${c} `.includes(wanted)), `missing ${wanted}`);
    }
    for (const e of COMPLIANCE.entries) {
      assert.ok(e.source.publisher && e.source.document, `${e.id} has a source`);
      assert.ok(e.title.ja && e.title.en && e.reason.ja && e.reason.en, `${e.id} is bilingual`);
      for (const c of e.requires) assert.ok(COMPLIANCE.conditions[c], `${e.id} requires an unknown condition ${c}`);
    }
    assert.equal(COMPLIANCE.entries.find((e) => e.id === 'mhlw-checklist-3-2')?.confirmed, false, 'the checklist wording is marked unconfirmed (COMPLIANCE.md)');
    assert.ok(COMPLIANCE.limits.ja.length === COMPLIANCE.limits.en.length && COMPLIANCE.limits.en.length >= 3);
  });

  it('maps everything for a PASS with files, readiness and a met RTO target in an isolated sandbox', function () {
    assert.equal(ids(sampleResult()).length, COMPLIANCE.entries.length);
  });

  it('maps nothing for a FAIL or an ERROR', function () {
    const failed = { ...FILES_PASS, status: 'fail' as const };
    assert.deepEqual(ids(sampleResult({ verdict: 'FAIL', checks: [failed, READY_PASS] })), []);
    assert.deepEqual(ids(sampleResult({ verdict: 'ERROR', checks: [] })), []);
  });

  it('needs readiness checks for RC.RP-05', function () {
    const mapped = ids(sampleResult({ checks: [FILES_PASS] }));
    assert.ok(!mapped.includes('nist-csf2-rc.rp-05'));
    assert.ok(mapped.includes('nist-csf2-pr.ds-11'));
    assert.deepEqual(mapCompliance(sampleResult({ checks: [FILES_PASS] })).notMapped.find((n) => n.entry.id === 'nist-csf2-rc.rp-05')?.missing, ['readiness']);
  });

  it('does not map A.5.30 from a sample drill, whose RTO is the sample\'s', function () {
    const sample = sampleResult();
    sample.rto.forecast = { forecastMs: 1000, ok: true, targetMs: 30 * 60_000, forecastRestoreMs: 900, sampleBytes: 1, sampleFiles: 1, sampleRestoreMs: 1, totalBytes: 10, bytesPerSecond: 1000, samplePaths: ['a'], basis: 'sample' };
    assert.ok(!ids(sample).includes('iso27001-2022-a.5.30'));
    assert.ok(ids(sample).includes('nist-csf2-rc.rp-05'));
  });

  it('counts any passing check of the ready phase as readiness', function () {
    assert.ok(ids(sampleResult({ checks: [FILES_PASS, { ...READY_PASS, kind: 'http', details: undefined } as CheckResult] })).includes('nist-csf2-rc.rp-05'));
  });

  it('needs a met RTO target for A.5.30', function () {
    assert.ok(!ids(sampleResult({ rto: { actualMs: 1000, measured: 'rto' } })).includes('iso27001-2022-a.5.30'));
    const late = ids(sampleResult({ verdict: 'LATE', rto: { targetMs: 1000, actualMs: 2000, ok: false, measured: 'rto' } }));
    assert.ok(!late.includes('iso27001-2022-a.5.30'));
    assert.ok(late.includes('iso27001-2022-a.8.13'), 'a LATE drill still restored and verified the backup');
  });

  it('needs a hash-verified restore for integrity controls, and isolation for RC.RP-03', function () {
    assert.ok(!ids(sampleResult({ checks: [READY_PASS] })).includes('hipaa-164.308-a-7-ii-A'));
    const open = sampleResult();
    open.sandbox!.isolation.networkIsolated = false;
    assert.ok(!ids(open).includes('nist-csf2-rc.rp-03'));
  });
});

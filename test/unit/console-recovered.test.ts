import assert from 'node:assert/strict';
import { describeResult } from '../../harness/reporters/console.ts';
import { sampleResult } from '../helpers/results.ts';

describe('unit: console "recovered in" only for a system that came up', () => {
  const bootFailed = {
    kind: 'boot' as const, name: 'the console shows login:', phase: 'ready' as const, status: 'fail' as const, summary: 'not booted',
    findings: [{ rule: 'not-booted', message: 'the guest cannot come up: Kernel panic' }], findingCount: 1, durationMs: 5000,
  };

  it('a passed drill says recovered in, with the RTO', () => {
    assert.match(describeResult(sampleResult()), /recovered in 4m against/);
  });

  it('a failed readiness check is not a recovery: the time is said as what it is', () => {
    const text = describeResult(sampleResult({ verdict: 'FAIL', reason: 'a readiness check failed', checks: [bootFailed] }));
    assert.doesNotMatch(text, /recovered in/);
    assert.match(text, /not recovered: 1 check failed after 4m/);
  });
});

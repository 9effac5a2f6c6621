import assert from 'node:assert/strict';
import type { DrillResult } from '../../harness/drill/result.ts';
import { junitXml } from '../../harness/reporters/junit.ts';
import { ReporterMultiplexer, type Reporter } from '../../harness/reporters/reporter.ts';

export function sampleResult(overrides: Partial<DrillResult> = {}): DrillResult {
  return {
    schema: 'restore-drill/result@1',
    runId: 'r1',
    scenario: { name: 'share', file: 'scenarios/share.yaml', digest: 'sha256:00' },
    verdict: 'FAIL',
    reason: 'files check failed',
    startedAt: '2026-11-01T00:00:00.000Z',
    endedAt: '2026-11-01T00:00:02.500Z',
    rpo: { measured: '' },
    rto: { measured: '' },
    phases: [],
    checks: [
      { kind: 'files', name: 'files match x.sha256', phase: 'verify', status: 'fail', summary: '1 of 3 files differ', findings: [{ rule: 'changed', subject: 'a<b>&.txt', message: 'a<b>&.txt changed' }], findingCount: 1, durationMs: 1200 },
      { kind: 'command', name: 'ready', phase: 'ready', status: 'pass', summary: 'passed', findings: [], findingCount: 0, durationMs: 5 },
    ],
    host: { hostname: 'h', user: 'u', platform: 'linux' },
    tools: {},
    resultsDir: '/tmp/x',
    notes: [],
    ...overrides,
  };
}

describe('reporters', () => {
  it('junit.xml: one testcase per check plus the verdict, failures carrying escaped findings', () => {
    const xml = junitXml(sampleResult());
    assert.match(xml, /<testsuite name="share" tests="3" failures="2" errors="0"/);
    assert.match(xml, /<failure message="1 of 3 files differ" type="files">a&lt;b&gt;&amp;\.txt changed<\/failure>/);
    assert.match(xml, /<testcase classname="share.command" name="ready" time="0.005"><\/testcase>/);
  });

  it('junit.xml: an ERROR drill is an error, not a failure', () => {
    const xml = junitXml(sampleResult({ verdict: 'ERROR', reason: 'daemon gone', checks: [], error: { code: 'DOCKER_UNREACHABLE', kind: 'infrastructure', message: 'x' } }));
    assert.match(xml, /<error message="daemon gone" type="DOCKER_UNREACHABLE"\/>/);
    assert.match(xml, /errors="1"/);
  });

  it('a reporter that throws is left out; the others still get every event', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const broken: Reporter = { name: 'broken', 'drill:start': () => { throw new Error('disk full'); } };
    const good: Reporter = { name: 'good', 'drill:start': () => void seen.push('start'), 'drill:end': () => void seen.push('end') };
    const mux = new ReporterMultiplexer([broken, good], (name, err) => errors.push(`${name}: ${(err as Error).message}`));
    const drill = { runId: 'r', scenario: 's' };
    await mux.emit({ type: 'drill:start', drill, file: 'f' });
    await mux.emit({ type: 'drill:start', drill, file: 'f' });
    await mux.emit({ type: 'drill:end', drill, result: sampleResult() });
    assert.deepEqual(seen, ['start', 'start', 'end']);
    assert.deepEqual(errors, ['broken: disk full']);
  });
});

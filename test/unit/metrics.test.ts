import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readMetricsFile, renderMetrics, writeMetricsFile } from '../../harness/reporters/metrics.ts';
import { parsePrometheusText } from '../helpers/prometheus-text.ts';
import { sampleResult } from '../helpers/results.ts';

describe('unit: Prometheus metrics file', function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-metrics-'));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('escapes label values and reads them back', async function () {
    const odd = 'a "quoted" \\ name\nwith a newline';
    const text = await renderMetrics(new Map([[odd, { lastRun: 1, verdict: 'PASS' as const }]]));
    const parsed = parsePrometheusText(text);
    assert.equal(parsed.get('restore_drill_last_run_timestamp_seconds')?.samples[0]?.labels.scenario, odd);
    const file = path.join(dir, 'm.prom');
    await writeFile(file, text);
    assert.deepEqual((await readMetricsFile(file)).get(odd), { lastRun: 1, verdict: 'PASS' });
  });

  it('keeps lines of other tools out, and the last success through ERROR and LATE', async function () {
    const file = path.join(dir, 'm.prom');
    await writeFile(file, '# a comment\nsome_other_metric{scenario="billing"} 5\n');
    await writeMetricsFile(file, [sampleResult({ endedAt: '2026-11-01T00:00:00.000Z' })]);
    await writeMetricsFile(file, [sampleResult({ verdict: 'ERROR', endedAt: '2026-11-02T00:00:00.000Z', rto: { measured: 'rto' } })]);
    await writeMetricsFile(file, [sampleResult({ verdict: 'LATE', endedAt: '2026-11-03T00:00:00.000Z' })]);
    const parsed = parsePrometheusText(await readFile(file, 'utf8'));
    assert.equal(parsed.has('some_other_metric'), false);
    assert.equal(parsed.get('restore_drill_last_success_timestamp_seconds')?.samples[0]?.value, Date.parse('2026-11-01T00:00:00Z') / 1000);
    assert.equal(parsed.get('restore_drill_last_run_timestamp_seconds')?.samples[0]?.value, Date.parse('2026-11-03T00:00:00Z') / 1000);
    assert.equal(parsed.get('restore_drill_rto_seconds')?.samples[0]?.value, 240);
  });

  it('the strict parser used by the tests rejects what the format forbids', function () {
    assert.throws(() => parsePrometheusText('x{a="1"} 1'), /line feed/);
    assert.throws(() => parsePrometheusText('x{a="\\t"} 1\n'), /bad escape/);
    assert.throws(() => parsePrometheusText('x 1\ny 1\nx 2\n'), /not grouped/);
    assert.throws(() => parsePrometheusText('x 1\n# TYPE x gauge\n'), /TYPE after samples/);
    assert.throws(() => parsePrometheusText('x one\n'), /bad value/);
  });
});

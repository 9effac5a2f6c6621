import assert from 'node:assert/strict';
import { html } from '../../harness/reporters/html/html.ts';
import { chooseLang } from '../../harness/reporters/html/lang.ts';
import { forecastRto } from '../../harness/drill/forecast.ts';
import { renderReport } from '../../harness/reporters/html/report-page.ts';
import { systemRows } from '../../harness/reporters/html/index-page.ts';
import { FILES_PASS, sampleResult } from '../helpers/results.ts';

describe('unit: HTML pages', function () {
  it('escapes every interpolated value, but not nested markup', function () {
    const name = `<script>alert("x")</script>&'`;
    assert.equal(html`<td>${name}</td>`.text, '<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>');
    assert.equal(html`<tr>${[html`<td>${'<b>'}</td>`]}</tr>`.text, '<tr><td>&lt;b&gt;</td></tr>');
  });

  it('renders findings, system names and notes from result.json as text', function () {
    const hostile = '<img src=x onerror=alert(1)>';
    const page = renderReport(
      sampleResult({
        verdict: 'FAIL',
        scenario: { name: 'billing', system: hostile, file: `${hostile}.yaml`, digest: 'sha256:00' },
        checks: [{ ...FILES_PASS, status: 'fail', findings: [{ rule: 'changed', subject: hostile, message: `changed ${hostile}`, expected: hostile, actual: { x: hostile } }], findingCount: 1 }],
        notes: [hostile],
      }),
      { lang: 'en', evidence: { state: 'none' } },
    );
    assert.ok(!page.includes('<img'), 'no markup from the result reaches the page');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
  });

  it('shows a forecast when result.json carries one', function () {
    const base = sampleResult();
    const forecast = forecastRto({ samplePaths: ['/archive/dicom/study-01'], sampleBytes: 1e9, sampleFiles: 100, sampleRestoreMs: 10_000, measuredRtoMs: 15_000, totalBytes: 4e12, targetMs: 1_800_000 })!;
    const result = { ...base, rto: { ...base.rto, forecast } };
    const en = renderReport(result, { lang: 'en', evidence: { state: 'none' } });
    assert.match(en, /Forecast of a full restore \(RTO, not measured\)<\/th><td><strong>11h6m45s<\/strong> \/ target 30m · <span class="bad">✘ OVER TARGET/);
    assert.match(en, /FORECAST, not measured/);
    assert.match(renderReport(result, { lang: 'ja', evidence: { state: 'none' } }), /全量復元の予測（RTO、実測ではない）/);
    assert.ok(!renderReport(base, { lang: 'en', evidence: { state: 'none' } }).includes('Forecast'));
  });

  it('takes the language from --lang, else the locale', function () {
    assert.equal(chooseLang(undefined, { LANG: 'ja_JP.UTF-8' }), 'ja');
    assert.equal(chooseLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'ja_JP.UTF-8' }), 'en');
    assert.equal(chooseLang(undefined, {}), 'en');
    assert.equal(chooseLang('ja', { LANG: 'C' }), 'ja');
    assert.throws(() => chooseLang('fr'), /--lang must be ja or en/);
  });

  it('marks a system overdue when its last PASS is older than its interval, or it never passed', async function () {
    const now = new Date('2026-11-25T00:00:00Z');
    const at = (day: string, verdict: 'PASS' | 'FAIL', name: string, drillIntervalMs?: number) =>
      sampleResult({ runId: day, verdict, startedAt: `2026-11-${day}T00:00:00.000Z`, endedAt: `2026-11-${day}T00:10:00.000Z`, scenario: { name, file: 'f', digest: 'd' }, drillIntervalMs, resultsDir: `/nowhere/${name}/${day}` });
    const rows = await systemRows('/nowhere', [at('01', 'PASS', 'fresh'), at('20', 'FAIL', 'fresh'), at('01', 'PASS', 'weekly', 7 * 86_400_000), at('24', 'FAIL', 'never')], { lang: 'en', now, defaultIntervalMs: 31 * 86_400_000 });
    assert.deepEqual(rows.map((r) => [r.scenario, r.overdue, r.daysSincePass, r.last.verdict]), [
      ['fresh', false, 23, 'FAIL'],
      ['never', true, undefined, 'FAIL'],
      ['weekly', true, 23, 'PASS'],
    ]);
  });
});

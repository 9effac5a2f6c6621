/** The plan report: a timeline bar per recovery phase per system, milestones against targets (a missed one marked), escaping, links. */
import assert from 'node:assert/strict';
import type { PlanResult } from '../../harness/plan/result.ts';
import { renderPlanReport } from '../../harness/reporters/html/plan-page.ts';

const phases = (start: number, ...names: string[]) =>
  names.map((name, i) => ({ name, startMs: start + i * 1000, durationMs: 1000, status: 'passed' })) as PlanResult['systems'][number]['phases'];

function planResult(): PlanResult {
  return {
    schema: 'restore-drill/plan@1',
    runId: '20261202T010203Z-abcd',
    plan: { name: 'hospital', file: 'plans/hospital.yaml', digest: 'sha256:00' },
    verdict: 'LATE',
    reason: 'every system restored, but over the target of milestone <b>care</b>',
    startedAt: '2026-12-02T01:02:03.000Z',
    endedAt: '2026-12-02T01:02:13.000Z',
    durationMs: 10_000,
    systems: [
      { name: 'db', group: 0, after: [], milestone: '<b>care</b>', scenario: { name: 'db', file: 'db.yaml' }, verdict: 'PASS', reason: 'ok', resultsDir: '/r/db/1', startMs: 0, endMs: 5000, readyMs: 4000, phases: [...phases(0, 'select', 'provision'), ...phases(2000, 'restore', 'verify')] },
      { name: 'app', group: 0, after: ['db'], milestone: '<b>care</b>', scenario: { name: 'app', file: 'app.yaml' }, verdict: 'PASS', reason: 'ok', resultsDir: '/r/app/1', startMs: 5000, endMs: 10_000, readyMs: 9000, phases: phases(5000, 'access', 'restore', 'verify', 'ready') },
      { name: 'billing', group: 1, after: ['app'], scenario: { name: 'billing', file: 'billing.yaml' }, verdict: 'ERROR', reason: 'not drilled', waitedFor: 'app', resultsDir: '/r/billing/1', startMs: 10_000, endMs: 10_000, phases: [] },
    ],
    milestones: [
      { name: '<b>care</b>', systems: ['db', 'app'], actualMs: 9000, targetMs: 6000, reached: true, ok: false },
      { name: 'radiology', systems: ['pacs'], actualMs: 1000, targetMs: 8000, reached: true, ok: true },
    ],
    resultsDir: '/r/_plan.hospital/20261202T010203Z-abcd',
  };
}

const render = (lang: 'ja' | 'en' = 'en') => renderPlanReport(planResult(), { lang, evidence: { state: 'none' }, links: { db: '../../db/1/report.html', app: '../../app/1/report.html', billing: undefined } });

describe('plan report.html', () => {
  it('draws one bar per recovery phase per system, in one inline SVG', () => {
    const page = render();
    const svg = /<svg class="plot timeline"[\s\S]*?<\/svg>/.exec(page)?.[0];
    assert.ok(svg, 'an inline SVG timeline');
    const bars = (system: string) => [...svg.matchAll(/<g data-system="([^"]+)">([\s\S]*?)<\/g>/g)]
      .filter((m) => m[1] === system)
      .flatMap((m) => [...m[2]!.matchAll(/data-phase="(\w+)"/g)].map((p) => p[1]));
    assert.deepEqual(bars('db'), ['restore', 'verify'], 'select and provision are not recovery time');
    assert.deepEqual(bars('app'), ['access', 'restore', 'verify', 'ready']);
    assert.deepEqual(bars('billing'), []);
    assert.doesNotMatch(page, /<script|src="http/);
  });

  it('marks a milestone past its target, on the timeline and in the table', () => {
    const page = render();
    assert.match(page, /<g class="milestone" data-milestone="&lt;b&gt;care&lt;\/b&gt;" data-late="true">/);
    assert.match(page, /<g class="milestone" data-milestone="radiology" data-late="false">/);
    assert.match(page, /<tr data-milestone="&lt;b&gt;care&lt;\/b&gt;" data-ok="false">.*OVER TARGET/);
    assert.doesNotMatch(page, /<b>care<\/b>/, 'plan text is escaped');
    // The chart spans the plan (10 s): the 6 s target in place, the 8 s one too; one of 1 h at the edge, marked.
    const far = renderPlanReport({ ...planResult(), milestones: [{ name: 'later', systems: ['db'], actualMs: 4000, targetMs: 3_600_000, reached: true, ok: true }] }, { lang: 'en', evidence: { state: 'none' }, links: {} });
    assert.match(far, /<g class="milestone" data-milestone="later" data-late="false">\s*<line x1="770\.0"[\s\S]*?later 1h →/);
    assert.match(far, /<rect class="phase" data-phase="ready" x="650\.0"/, 'app\'s ready phase at +8 s of a 10 s chart (170 + 0.8 × 600)');
  });

  it('links each system to its own report, and says which one a stopped system waited for, in both languages', () => {
    const en = render('en');
    assert.match(en, /<tr data-system="db">.*<a href="\.\.\/\.\.\/db\/1\/report\.html">report<\/a>/);
    assert.match(en, /<tr data-system="billing">.*not drilled: waited for app/);
    const ja = render('ja');
    assert.match(ja, /<html lang="ja">/);
    assert.match(ja, /復旧計画 訓練報告書/);
    assert.match(ja, /未実施：app を待機/);
  });
});

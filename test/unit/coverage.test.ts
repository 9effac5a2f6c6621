/** The index's coverage of restore points: proven points still kept, the oldest ever proven, a rotating sample's share. */
import assert from 'node:assert/strict';
import type { DrillResult } from '../../harness/drill/result.ts';
import { coverageCell, pointCoverage } from '../../harness/reporters/html/coverage.ts';
import { sampleResult } from '../helpers/results.ts';

const point = (id: string, day: string) => ({ id, time: `2026-11-${day}T03:00:00.000Z`, location: `/b/${id}`, sourceKind: 'tar' });

function run(day: string, verdict: DrillResult['verdict'], id: string, pointDay: string, extra: Partial<DrillResult> = {}): DrillResult {
  const available = { count: 10, oldest: '2026-11-10T03:00:00.000Z', newest: `2026-11-${day}T03:00:00.000Z` };
  return sampleResult({ runId: day, verdict, startedAt: `2026-11-${day}T05:00:00.000Z`, restorePoint: { ...point(id, pointDay), selection: { selector: 'random-within:30d', available } }, ...extra });
}

describe('unit: coverage of restore points on the index', () => {
  it('counts distinct proven points still kept, and names the oldest point ever proven', () => {
    const runs = [
      run('05', 'PASS', 'night-02', '02'), // proven, but since rotated out of the backup
      run('12', 'PASS', 'night-11', '11'),
      run('13', 'LATE', 'night-11', '11'), // the same point again: counted once
      run('14', 'FAIL', 'night-13', '13'), // a FAIL proves nothing
      run('20', 'PASS', 'night-19', '19'),
    ];
    const coverage = pointCoverage(runs);
    assert.equal(coverage.provenInRetention, 2);
    assert.deepEqual(coverage.retained, { count: 10, oldest: '2026-11-10T03:00:00.000Z' });
    assert.deepEqual(coverage.oldestProven, { id: 'night-02', time: '2026-11-02T03:00:00.000Z' });
    const cell = coverageCell(coverage, 'en').text;
    assert.match(cell, /2 of 10 points kept proven/);
    assert.match(cell, /oldest proven: <code>night-02<\/code> \(02\/11\/2026\)/);
    assert.match(coverageCell(coverage, 'ja').text, /保持中 10 点のうち 2 点を検証/);
  });

  it('says so when nothing was proven, and shows the last rotating sample\'s share', () => {
    const sample = { rotate: '/archive/dicom/*', paths: ['/archive/dicom/s1'], candidates: 48, covered: 34, share: 34 / 48, since: '2025-11-20T00:00:00.000Z' };
    const coverage = pointCoverage([run('20', 'FAIL', 'night-19', '19', { sample })]);
    assert.equal(coverage.provenInRetention, 0);
    const cell = coverageCell(coverage, 'en').text;
    assert.match(cell, /no point proven yet/);
    assert.match(cell, /34 of 48 parts of \/archive\/dicom\/\* restored in 12 months \(71 %\)/);
  });

  it('results from before points were recorded show that they were not', () => {
    const old = sampleResult({ verdict: 'PASS' });
    assert.match(coverageCell(pointCoverage([old]), 'en').text, /points kept: not recorded/);
  });
});

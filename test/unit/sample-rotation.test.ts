/** Rotating samples: the pattern (one folder, wildcards in the last part), the listing reader, the schema. */
import assert from 'node:assert/strict';
import { rotatePattern, rotatesOneFolder } from '../../harness/drill/sample-pattern.ts';
import { sampleRecord } from '../../harness/drill/sample-rotation.ts';
import { InfrastructureError, ScenarioError } from '../../harness/errors.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { entriesIn, LISTING_LIMIT_BYTES } from '../../harness/sources/folder-listing.ts';

describe('rotating samples', () => {
  it('a pattern names one folder and the entries in it', () => {
    const pattern = rotatePattern('/archive/dicom/study-*');
    assert.equal(pattern.folder, '/archive/dicom');
    assert.ok(pattern.matches('study-0001'));
    assert.ok(!pattern.matches('index.txt'));
    assert.ok(rotatePattern('/a/b.c/x?').matches('x1') && !rotatePattern('/a/b.c/x?').matches('x12'));
    assert.ok(!rotatePattern('/a/(x)*').matches('yy'), 'regular expression characters are literal');
    for (const good of ['/archive/dicom/*', 'archive/dicom/*', '/archive/dicom/2026-*']) assert.ok(rotatesOneFolder(good), good);
    for (const bad of ['*', '/*', '/archive/*/studies/*', '/archive/dicom/[ab]*']) assert.ok(!rotatesOneFolder(bad), bad);
  });

  it('reads the entries directly in the folder from a JSON-lines listing, whatever the names', () => {
    const lines = [
      { struct_type: 'snapshot', paths: ['/x'] },
      { path: '/archive/dicom', struct_type: 'node' },
      { path: '/archive/dicom/study-1', struct_type: 'node' },
      { path: '/archive/dicom/study\n2 <b>', struct_type: 'node' },
      { path: '/archive/dicom/study-1/1.dcm', struct_type: 'node' },
      { path: '/archive/other', struct_type: 'node' },
    ].map((l) => JSON.stringify(l));
    assert.deepEqual(entriesIn('/archive/dicom', [...lines, 'not json', ''].join('\n'), 'restic ls'), ['/archive/dicom/study\n2 <b>', '/archive/dicom/study-1']);
  });

  it('refuses a listing larger than the host keeps, saying to name a smaller folder', () => {
    const line = JSON.stringify({ path: '/archive/dicom/study-000000000000000000000000000000000', struct_type: 'node' });
    const huge = Array.from({ length: Math.ceil(LISTING_LIMIT_BYTES / line.length) + 1 }, () => line).join('\n');
    assert.throws(() => entriesIn('/archive/dicom', huge, 'restic ls x /archive/dicom'), (err: unknown) => err instanceof InfrastructureError && err.code === 'LISTING_TOO_LARGE' && /smaller folder/.test(err.message));
  });

  it('counts this run in the coverage only when it proved its point', () => {
    const rotation = { rotate: '/a/*', count: 1, paths: ['/a/3'], candidates: ['/a/1', '/a/2', '/a/3', '/a/4'], coveredBefore: ['/a/1', '/a/2'], since: '2025-12-01T00:00:00.000Z' };
    assert.deepEqual({ ...sampleRecord(rotation, 'PASS') }, { rotate: '/a/*', paths: ['/a/3'], candidates: 4, covered: 3, share: 0.75, since: rotation.since });
    assert.equal(sampleRecord(rotation, 'FAIL').covered, 2);
  });

  it('the schema takes sample: { rotate, count } on restic and borg, never together with paths', () => {
    const source = (extra: string) => `name: pacs\nsource:\n  kind: restic\n  repository: ./r\n  password_env: PW\n${extra}`;
    const spec = parseScenario(source('  sample: { rotate: /archive/dicom/*, count: 2 }\n'), '/s/p.yaml').spec.source;
    assert.deepEqual('sample' in spec && spec.sample, { rotate: '/archive/dicom/*', count: 2 });
    assert.throws(() => parseScenario(source('  paths: [/a]\n  sample: { rotate: /archive/dicom/* }\n'), '/s/p.yaml', 'p.yaml'), (err: unknown) => err instanceof ScenarioError && /source\.sample: write paths .* or sample/.test(err.message));
    assert.throws(() => parseScenario(source('  sample: { rotate: /archive/*/x/* }\n'), '/s/p.yaml', 'p.yaml'), (err: unknown) => err instanceof ScenarioError && /p\.yaml:6:\d+ source\.sample\.rotate: expected a folder and a pattern/.test(err.message));
  });
});

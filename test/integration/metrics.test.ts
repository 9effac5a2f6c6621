/** --metrics FILE from real drills: the Prometheus text format, merged across runs, last success kept. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { makeWorld, shareScenario, type World } from '../helpers/evidence-world.ts';
import { parsePrometheusText, type Family } from '../helpers/prometheus-text.ts';

function value(families: Map<string, Family>, name: string, labels: Record<string, string>): number | undefined {
  const family = families.get(name);
  return family?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('integration: --metrics writes Prometheus textfile metrics', function () {
  let world: World;
  let metrics: string;

  before(async function () {
    world = await makeWorld();
    metrics = path.join(world.root, 'textfile', 'restore-drill.prom');
  });

  after(async function () {
    await world?.dispose();
  });

  it('keeps the last success through a failing run and keeps other scenarios', async function () {
    const good = await world.scenario('share', shareScenario({ readiness: true, interval: '7d' }));
    const other = await world.scenario('other', shareScenario());
    const run = (file: string) => world.run(['run', file, '--results', world.results, '--sandbox', 'local', '--metrics', metrics]);
    assert.equal((await run(good)).code, 0);
    const first = parsePrometheusText(await readFile(metrics, 'utf8'));
    for (const name of ['restore_drill_last_run_timestamp_seconds', 'restore_drill_last_success_timestamp_seconds', 'restore_drill_rto_seconds', 'restore_drill_verdict']) {
      assert.equal(first.get(name)?.type, 'gauge', `${name} has TYPE gauge`);
      assert.ok(first.get(name)?.help, `${name} has HELP`);
    }
    const success = value(first, 'restore_drill_last_success_timestamp_seconds', { scenario: 'share' })!;
    assert.equal(success, value(first, 'restore_drill_last_run_timestamp_seconds', { scenario: 'share' }));
    assert.ok(Math.abs(success - Date.now() / 1000) < 600, 'a Unix time in seconds');
    assert.equal(value(first, 'restore_drill_verdict', { scenario: 'share', verdict: 'PASS' }), 1);
    assert.equal(value(first, 'restore_drill_interval_seconds', { scenario: 'share' }), 7 * 86400);
    assert.ok(value(first, 'restore_drill_rto_seconds', { scenario: 'share' })! > 0);

    assert.equal((await run(other)).code, 0);
    // The same scenario name, now restoring the damaged backup: it FAILs.
    const broken = await world.scenario('share-broken', shareScenario({ damaged: true }));
    const text = (await readFile(broken, 'utf8')).replace('name: share-broken', 'name: share');
    await (await import('node:fs/promises')).writeFile(broken, text);
    assert.equal((await run(broken)).code, 1);

    const last = parsePrometheusText(await readFile(metrics, 'utf8'));
    assert.equal(value(last, 'restore_drill_last_success_timestamp_seconds', { scenario: 'share' }), success, 'the failing run keeps the last success');
    assert.ok(value(last, 'restore_drill_last_run_timestamp_seconds', { scenario: 'share' })! > success);
    assert.equal(value(last, 'restore_drill_verdict', { scenario: 'share', verdict: 'FAIL' }), 1);
    assert.equal(value(last, 'restore_drill_verdict', { scenario: 'share', verdict: 'PASS' }), 0);
    assert.equal(value(last, 'restore_drill_verdict', { scenario: 'other', verdict: 'PASS' }), 1, 'the other scenario is kept');
    assert.ok(value(last, 'restore_drill_last_success_timestamp_seconds', { scenario: 'other' })! > 0);
    assert.deepEqual(await readdir(path.dirname(metrics)), ['restore-drill.prom'], 'no temporary file is left');
  });
});

/**
 * findNewestClean on real folders (a NAS's snapshot folders) with the real local sandbox: the point
 * restored for a newer point's change rule is scanned from that same restore, and nothing is left behind.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RansomwareCheck } from '../../harness/checks/ransomware.ts';
import { systemClock } from '../../harness/clock.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { PointManifests } from '../../harness/drill/point-manifests.ts';
import type { PointWork } from '../../harness/drill/restore-point.ts';
import { findNewestClean, type ScanOptions } from '../../harness/drill/scan-point.ts';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import { ransomwareCheckSchema, sandboxSchema } from '../../harness/scenario/schema.ts';
import { DirectorySource } from '../../harness/sources/directory.ts';
import type { RestoreContext, RestorePoint } from '../../harness/sources/source.ts';
import { attack } from '../helpers/attacks.ts';
import { makePoint } from '../helpers/corpus.ts';

class CountingSource extends DirectorySource {
  restores: string[] = [];
  override restore(point: RestorePoint, context: RestoreContext) {
    this.restores.push(point.id);
    return super.restore(point, context);
  }
}

describe('find the newest clean point in snapshot folders (integration)', function () {
  this.timeout(300_000);
  let work: string;
  before(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'rd-find-clean-'));
    for (let v = 0; v <= 4; v++) {
      const dir = path.join(work, 'snapshots', `share-2026112${v}`);
      makePoint(dir, v);
      if (v >= 3) attack(dir, v === 3 ? 'encrypt-one-in-five' : 'overwrite-random');
      const time = new Date(Date.UTC(2026, 10, 20 + v));
      utimesSync(dir, time, time);
    }
    mkdirSync(path.join(work, 'sandboxes'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('names the newest clean folder, restoring each point once, and removes every sandbox', async () => {
    const source = new CountingSource({ path: path.join(work, 'snapshots', 'share-*') });
    const driver = new LocalSandboxDriver({ baseDir: path.join(work, 'sandboxes') });
    const pool = new HashPool({ workers: 2 });
    const points = await source.points();
    const signal = new AbortController().signal;
    const pointWork: PointWork = { source, driver, sandboxSpec: sandboxSchema.parse({}), scenario: 'share', runId: 'test', logDir: path.join(work, 'logs'), pool, clock: systemClock, signal };
    const manifests = new PointManifests(pointWork);
    const options: ScanOptions = { work: pointWork, points, manifests, check: new RansomwareCheck({ spec: ransomwareCheckSchema.parse({}), indicatorFiles: [] }) };
    try {
      const search = await findNewestClean(options);
      assert.equal(search.clean?.point.id, 'share-20261122');
      assert.deepEqual(search.ruledOut.map((s) => s.point.id), ['share-20261124', 'share-20261123']);
      assert.ok(search.ruledOut[1]!.result.findings.some((f) => f.rule === 'content-header'), 'one file in five encrypted is enough');
      // 24 is restored to be scanned; 23, 22 and 21 for the change rule of the newer one, and 23 and
      // 22 are then scanned from that same restore.
      assert.deepEqual(source.restores, ['share-20261124', 'share-20261123', 'share-20261122', 'share-20261121']);
    } finally {
      await manifests.dispose();
      await pool.close();
    }
    assert.deepEqual(readdirSync(path.join(work, 'sandboxes')), [], 'every sandbox was removed');
  });
});

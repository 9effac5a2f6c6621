/** The README's first command: the demo makes its data and every demo drill gives its built-in verdict. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import type { DrillResult } from '../../harness/drill/result.ts';
import path from 'node:path';
import { REPO, runCli, tempDir } from '../helpers/cli.ts';

describe('npm run demo (the README\'s first command)', function () {
  this.timeout(180_000);

  it('drills the bundled scenarios on the local sandbox and gets PASS, PASS, FAIL, LATE', async () => {
    const tmp = await tempDir('rd-demo-');
    try {
      const { code, stdout, stderr } = await runCli(['demo', '--sandbox', 'local', '--results', tmp.path]);
      assert.equal(code, 0, stdout + stderr);
      assert.match(stdout, /PASS {2}share-nightly/);
      assert.match(stdout, /PASS {2}share-snapshot/);
      assert.match(stdout, /FAIL {2}share-damaged.*紹介状\/2026\/紹介状_0007\.txt/);
      assert.match(stdout, /LATE {2}share-tight-rto/);
      assert.match(stdout, /skipped the plans hospital and hospital-broken: they need the billing and pacs demos in the docker sandbox/);
      assert.match(stdout, /Every demo drill that ran gave the verdict it was built to give, and every negative control that ran passed/);
      const controls = await negativeControls(tmp.path);
      for (const name of ['share-nightly', 'share-snapshot', 'share-tight-rto']) assert.equal(controls.get(name), 'passed', name);
      assert.equal(controls.get('share-damaged'), 'not-run', 'a FAIL needs no control');
      // The manifest the backup job wrote into the share, which does not list itself.
      const manifest = await readFile(path.join(REPO, 'demo', 'share', '.restore-drill.sha256'), 'utf8');
      assert.match(manifest, /  紹介状\/2026\/紹介状_0007\.txt\n/);
      assert.doesNotMatch(manifest, /restore-drill\.sha256/);
      // The share changed between the nights; the night before PASSes too, against its own manifest.
      const [firstArchive] = (await readdir(path.join(REPO, 'demo', 'backups', 'nightly'))).sort();
      const [firstSnapshot] = (await readdir(path.join(REPO, 'demo', 'backups', 'snapshots'))).sort();
      for (const [scenario, point] of [['share-nightly', firstArchive!], ['share-snapshot', firstSnapshot!]] as [string, string][]) {
        const night1 = await runCli(['run', path.join(REPO, 'scenarios', `${scenario}.yaml`), '--point', point, '--sandbox', 'local', '--results', tmp.path]);
        assert.equal(night1.code, 0, night1.stdout + night1.stderr);
        assert.match(night1.stdout, new RegExp(`PASS {2}${scenario}`));
        assert.match(night1.stdout, new RegExp(`restore point ${point.replace(/\./g, '\\.')} `));
      }
    } finally {
      await tmp.remove();
    }
  });
});

/** Each scenario's negative control status, from the result.json files under a results folder. */
async function negativeControls(results: string): Promise<Map<string, string | undefined>> {
  const statuses = new Map<string, string | undefined>();
  for (const name of await readdir(results)) {
    for (const run of await readdir(path.join(results, name)).catch(() => [])) {
      const result = JSON.parse(await readFile(path.join(results, name, run, 'result.json'), 'utf8')) as DrillResult;
      statuses.set(name, result.negativeControl?.status);
    }
  }
  return statuses;
}

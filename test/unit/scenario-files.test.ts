/** Which files a folder of scenarios holds: plan files in its plans/ folder are not scenarios. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findScenarioFiles } from '../../harness/cli/scenario-files.ts';

describe('finding scenario files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-scenario-files-'));
    await mkdir(path.join(dir, 'plans'));
    await writeFile(path.join(dir, 'billing.yaml'), 'name: billing\n');
    await writeFile(path.join(dir, 'plans', 'hospital.yaml'), 'name: hospital\ngroups: []\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a folder gives its scenarios, not the recovery plans in its plans/ folder', async () => {
    assert.deepEqual(await findScenarioFiles([dir]), [path.join(dir, 'billing.yaml')]);
  });

  it('a plan file named on its own is still taken as given', async () => {
    const plan = path.join(dir, 'plans', 'hospital.yaml');
    assert.deepEqual(await findScenarioFiles([plan]), [plan]);
  });
});

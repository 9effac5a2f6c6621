/**
 * scan and find-clean on a scenario that says sandbox.kind: vm take the vm sandbox by themselves, as
 * run does: with --sandbox auto they used to take docker or local and refuse the scenario (exit 65).
 * No machine boots: the ransomware scan reads the restored tree (the disk image file) on the host.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmSandboxDriver } from '../../harness/sandboxes/vm/driver.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { runCli, tempDir } from '../helpers/cli.ts';

describe('integration: scan and find-clean pick the vm sandbox for a vm scenario', function () {
  this.timeout(60_000);
  let dir: { path: string; remove(): Promise<void> };
  let scenario: string;

  before(async function () {
    const qemu = await new VmSandboxDriver().available();
    if (!qemu.ok) skipBecause(this, qemu.reason ?? 'QEMU is not installed');
    dir = await tempDir('rd-vm-scan-');
    const point = path.join(dir.path, 'images', '2026-11-30');
    await mkdir(point, { recursive: true });
    // A raw disk: an MBR boot signature and zeros (never booted here).
    const disk = Buffer.alloc(1024 * 1024);
    disk[510] = 0x55;
    disk[511] = 0xaa;
    await writeFile(path.join(point, 'kensa01.raw'), disk);
    scenario = path.join(dir.path, 'kensa-vm.yaml');
    await writeFile(scenario, ['name: kensa-vm', 'source: { kind: directory, path: images/* }', 'sandbox: { kind: vm, vm: { disk: kensa01.raw } }', 'expect:', '  ransomware: {}', ''].join('\n'));
  });
  after(async () => dir?.remove());

  for (const command of ['scan', 'find-clean']) {
    it(`${command} --sandbox auto drills the vm scenario in the vm sandbox, and leaves no scratch folder`, async () => {
      const before = (await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-vm-'));
      const run = await runCli([command, scenario, '--results', path.join(dir.path, 'results')]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /CLEAN/);
      assert.deepEqual((await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-vm-')), before);
    });
  }
});

/**
 * A whole machine as a hypervisor keeps it: a GPT disk whose EFI system partition holds GRUB, booted
 * by UEFI firmware (OVMF) from its own bootloader (no kernel given to QEMU), on a SATA disk with an
 * Intel e1000 NIC (the models guests without virtio drivers need), and a tcp check through the
 * restricted forward. One boot under TCG. The disk image is made by code (test/helpers/uefi-disk.ts).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LAB_GUEST_IMAGE, writeLabTree } from '../../harness/demo/lab-vm.ts';
import { runProcess } from '../../harness/sandboxes/process.ts';
import { VmSandboxDriver } from '../../harness/sandboxes/vm/driver.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeUefiDisk, UEFI_DISK_TOOLS } from '../helpers/uefi-disk.ts';

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
const OVMF = '/usr/share/OVMF/OVMF_CODE_4M.fd';

async function missing(): Promise<string | undefined> {
  const qemu = await new VmSandboxDriver().available();
  if (!qemu.ok) return qemu.reason;
  for (const tool of [...UEFI_DISK_TOOLS, 'docker']) {
    if ((await runProcess('/bin/sh', ['-c', `command -v ${tool}`], { env: ENV, timeoutMs: 5000 })).exitCode !== 0) return `${tool} is not installed (.ci/run installs it)`;
  }
  if ((await runProcess('/bin/sh', ['-c', `test -e ${OVMF}`], { env: ENV, timeoutMs: 5000 })).exitCode !== 0) return `${OVMF} is missing (apt-get install ovmf)`;
  const image = await runProcess('docker', ['image', 'inspect', LAB_GUEST_IMAGE], { env: ENV, timeoutMs: 20_000 }).catch(() => undefined);
  return image?.exitCode === 0 ? undefined : `the image ${LAB_GUEST_IMAGE} is not built (images/build.sh vm-guest)`;
}

describe('integration: vm sandbox boots UEFI firmware from the disk\'s own bootloader, over SATA with an e1000 NIC', function () {
  this.timeout(10 * 60_000);
  let dir: { path: string; remove(): Promise<void> };

  before(async function () {
    const reason = await missing();
    if (reason) skipBecause(this, reason);
    dir = await tempDir('rd-vm-uefi-');
  });
  after(async () => dir?.remove());

  it('GPT + ESP with GRUB, firmware: uefi, disk_bus: sata, nic: e1000: boots to login: and its port answers; the image is unchanged, nothing is left', async () => {
    const tree = path.join(dir.path, 'rootfs');
    const point = path.join(dir.path, 'points', 'kensa02-20261201');
    await mkdir(tree);
    await mkdir(point, { recursive: true });
    await writeLabTree(tree);
    // The machine finds its root by label, as an installed system does (not by the virtio name /dev/vda).
    await writeFile(path.join(tree, 'etc/fstab'), 'LABEL=root / ext4 errors=remount-ro 0 1\n');
    const disk = path.join(point, 'kensa02.raw');
    await makeUefiDisk(tree, disk, dir.path);
    await runProcess('rm', ['-rf', tree], { env: ENV, timeoutMs: 60_000 });
    const digest = createHash('sha256').update(await readFile(disk)).digest('hex');
    const scenario = path.join(dir.path, 'kensa02.yaml');
    await writeFile(scenario, [
      'name: kensa02-uefi',
      `source: { kind: directory, path: ${path.join(dir.path, 'points')}/* }`,
      'sandbox:',
      '  kind: vm',
      '  cpus: 2',
      '  memory: 1GiB',
      '  vm: { disk: kensa02.raw, firmware: uefi, disk_bus: sata, nic: e1000, forward: [8080] }',
      'expect:',
      '  boot: { console: "login:", until: 5m }',
      '  tcp: [{ port: 8080, until: 2m }]',
      '',
    ].join('\n'));
    const results = path.join(dir.path, 'results');
    const run = await runCli(['run', scenario, '--results', results], { timeoutMs: 8 * 60_000 });
    const runs = await readdir(path.join(results, 'kensa02-uefi')).catch(() => [] as string[]);
    assert.equal(runs.length, 1, run.stdout + run.stderr);
    const result = JSON.parse(await readFile(path.join(results, 'kensa02-uefi', runs[0]!, 'result.json'), 'utf8'));
    const serial = await readFile(path.join(results, 'kensa02-uefi', runs[0]!, 'logs', 'serial.log'), 'utf8').catch(() => '');
    assert.equal(result.verdict, 'PASS', JSON.stringify(result.checks.map((c: { summary: string; logTail?: string }) => [c.summary, c.logTail])) + run.stdout.slice(-2000) + serial.slice(-2000));
    assert.deepEqual({ firmware: result.sandbox.description.firmware, diskBus: result.sandbox.description.diskBus }, { firmware: 'uefi', diskBus: 'sata' });
    assert.deepEqual(result.checks.map((c: { kind: string; status: string }) => `${c.kind} ${c.status}`), ['boot pass', 'tcp pass']);
    assert.equal(createHash('sha256').update(await readFile(disk)).digest('hex'), digest, 'the disk image is byte for byte unchanged');
    assert.deepEqual((await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-vm-')), []);
  });
});

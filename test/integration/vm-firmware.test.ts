/**
 * Whole machines as a hypervisor keeps them, booted from their own bootloader (no kernel given to
 * QEMU): a GPT disk whose EFI system partition holds GRUB, by UEFI firmware (OVMF), on a SATA disk
 * with an Intel e1000 NIC (the models guests without virtio drivers need) and a tcp check through
 * the restricted forward; and an MBR disk with GRUB in its boot sector, by BIOS (SeaBIOS), on the IDE
 * bus of the i440fx board. Two boots under TCG; the disk images are made by code
 * (test/helpers/bootable-disk.ts) from one root file system.
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
import { BOOTABLE_DISK_TOOLS, makeBiosDisk, makeUefiDisk } from '../helpers/bootable-disk.ts';

const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
const OVMF = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const BIOS_GRUB = '/usr/lib/grub/i386-pc/boot.img';

async function missing(): Promise<string | undefined> {
  const qemu = await new VmSandboxDriver().available();
  if (!qemu.ok) return qemu.reason;
  for (const tool of [...BOOTABLE_DISK_TOOLS, 'docker']) {
    if ((await runProcess('/bin/sh', ['-c', `command -v ${tool}`], { env: ENV, timeoutMs: 5000 })).exitCode !== 0) return `${tool} is not installed (.ci/run installs it)`;
  }
  if ((await runProcess('/bin/sh', ['-c', `test -e ${OVMF}`], { env: ENV, timeoutMs: 5000 })).exitCode !== 0) return `${OVMF} is missing (apt-get install ovmf)`;
  if ((await runProcess('/bin/sh', ['-c', `test -e ${BIOS_GRUB}`], { env: ENV, timeoutMs: 5000 })).exitCode !== 0) return `${BIOS_GRUB} is missing (apt-get install grub-pc-bin)`;
  const image = await runProcess('docker', ['image', 'inspect', LAB_GUEST_IMAGE], { env: ENV, timeoutMs: 20_000 }).catch(() => undefined);
  return image?.exitCode === 0 ? undefined : `the image ${LAB_GUEST_IMAGE} is not built (images/build.sh vm-guest)`;
}

interface Drilled {
  result: { verdict: string; checks: { kind: string; status: string; summary: string; logTail?: string }[]; sandbox: { description: Record<string, string> } };
  output: string;
}

/** Runs the scenario over one point folder holding disk; the result, and the CLI's output for failures. */
async function drill(dir: string, name: string, disk: string, vm: string, expect: string[]): Promise<Drilled> {
  const scenario = path.join(dir, `${name}.yaml`);
  await writeFile(scenario, [
    `name: ${name}`,
    `source: { kind: directory, path: ${path.dirname(path.dirname(disk))}/* }`,
    'sandbox:',
    '  kind: vm',
    '  cpus: 2',
    '  memory: 1GiB',
    `  vm: { disk: ${path.basename(disk)}, ${vm} }`,
    'expect:',
    ...expect.map((line) => `  ${line}`),
    '',
  ].join('\n'));
  const results = path.join(dir, 'results');
  const run = await runCli(['run', scenario, '--results', results], { timeoutMs: 8 * 60_000 });
  const runs = await readdir(path.join(results, name)).catch(() => [] as string[]);
  assert.equal(runs.length, 1, run.stdout + run.stderr);
  const result = JSON.parse(await readFile(path.join(results, name, runs[0]!, 'result.json'), 'utf8'));
  return { result, output: JSON.stringify(result.checks.map((c: { summary: string; logTail?: string }) => [c.summary, c.logTail])) + run.stdout.slice(-2000) };
}

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('integration: vm sandbox boots firmware from the disk\'s own bootloader (UEFI over SATA with e1000; BIOS over IDE)', function () {
  this.timeout(15 * 60_000);
  let dir: { path: string; remove(): Promise<void> };
  let tree: string;

  before(async function () {
    const reason = await missing();
    if (reason) skipBecause(this, reason);
    dir = await tempDir('rd-vm-firmware-');
    tree = path.join(dir.path, 'rootfs');
    await mkdir(tree);
    await writeLabTree(tree);
    // The machine finds its root by label, as an installed system does (not by the virtio name /dev/vda).
    await writeFile(path.join(tree, 'etc/fstab'), 'LABEL=root / ext4 errors=remount-ro 0 1\n');
  });
  after(async () => dir?.remove());

  it('GPT + ESP with GRUB, firmware: uefi, disk_bus: sata, nic: e1000: boots to login: and its port answers; the image is unchanged, nothing is left', async () => {
    const disk = path.join(dir.path, 'uefi', 'kensa02-20261201', 'kensa02.raw');
    await mkdir(path.dirname(disk), { recursive: true });
    await makeUefiDisk(tree, disk, dir.path);
    const digest = await sha256(disk);
    const { result, output } = await drill(dir.path, 'kensa02-uefi', disk, 'firmware: uefi, disk_bus: sata, nic: e1000, forward: [8080]', ['boot: { console: "login:", until: 5m }', 'tcp: [{ port: 8080, until: 2m }]']);
    assert.equal(result.verdict, 'PASS', output);
    assert.deepEqual({ firmware: result.sandbox.description.firmware, diskBus: result.sandbox.description.diskBus }, { firmware: 'uefi', diskBus: 'sata' });
    assert.deepEqual(result.checks.map((c) => `${c.kind} ${c.status}`), ['boot pass', 'tcp pass']);
    assert.equal(await sha256(disk), digest, 'the disk image is byte for byte unchanged');
    assert.deepEqual((await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-vm-')), []);
  });

  it('MBR with GRUB in its boot sector, firmware: bios (the default), disk_bus: ide: boots to login:', async () => {
    const disk = path.join(dir.path, 'bios', 'kensa03-20261201', 'kensa03.raw');
    await mkdir(path.dirname(disk), { recursive: true });
    await makeBiosDisk(tree, disk, dir.path);
    const { result, output } = await drill(dir.path, 'kensa03-bios', disk, 'disk_bus: ide', ['boot: { console: "login:", until: 5m }']);
    assert.equal(result.verdict, 'PASS', output);
    assert.deepEqual({ firmware: result.sandbox.description.firmware, diskBus: result.sandbox.description.diskBus }, { firmware: 'bios', diskBus: 'ide' });
    assert.deepEqual((await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-vm-')), []);
  });
});

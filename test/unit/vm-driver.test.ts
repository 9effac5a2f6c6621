import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scenarioSchema } from '../../harness/scenario/schema.ts';
import { processAlive, runProcess } from '../../harness/sandboxes/process.ts';
import { chooseAccel } from '../../harness/sandboxes/vm/accel.ts';
import { createOverlay, inspectImage } from '../../harness/sandboxes/vm/disk-image.ts';
import { removeVmLeftovers, writeOwner } from '../../harness/sandboxes/vm/leftovers.ts';
import { qemuArgs, type MachineLayout } from '../../harness/sandboxes/vm/qemu-args.ts';
import { DrillError } from '../../harness/errors.ts';

const machine = (vm: Record<string, unknown>) =>
  scenarioSchema.parse({ name: 't', source: { kind: 'directory', path: '/x' }, sandbox: { kind: 'vm', vm: { disk: 'd.qcow2', ...vm } } }).sandbox.vm!;
const layout = (vm: Record<string, unknown>, forwards = new Map<number, number>()): MachineLayout => ({
  name: 'n', machine: machine(vm), accel: 'tcg', memoryBytes: 1024 ** 3, cpus: 2, forwards,
  files: { overlay: '/s/overlay.qcow2', qmpSocket: '/s/q.sock', agentSocket: '/s/g.sock', serialLog: '/s/serial.log' },
});
const hasQemuImg = async () => (await runProcess('/bin/sh', ['-c', 'command -v qemu-img'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 5000 })).exitCode === 0;

describe('unit: vm sandbox parts', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'rd-vm-unit-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('the scenario: kind vm needs vm, paths must stay inside the restored backup', function () {
    const parse = (sandbox: unknown) => scenarioSchema.safeParse({ name: 't', source: { kind: 'directory', path: '/x' }, sandbox });
    assert.equal(parse({ kind: 'vm' }).success, false);
    assert.equal(parse({ vm: { disk: 'a.raw' } }).success, false);
    assert.equal(parse({ kind: 'vm', vm: { disk: '../etc/shadow' } }).success, false);
    assert.equal(parse({ kind: 'vm', vm: { disk: 'a.raw', initrd: 'i' } }).success, false, 'initrd needs kernel');
    assert.equal(parse({ kind: 'vm', vm: { disk: 'a.raw' } }).success, true);
  });

  it('QEMU gets no network device by default; forwards are restricted and bound to 127.0.0.1', function () {
    const isolated = qemuArgs(layout({}));
    assert.deepEqual(isolated.slice(isolated.indexOf('-nic'), isolated.indexOf('-nic') + 2), ['-nic', 'none']);
    assert.ok(isolated.includes('-sandbox'));
    const forwarded = qemuArgs(layout({ forward: [8080], nic: 'e1000' }, new Map([[8080, 41234]])));
    assert.equal(forwarded[forwarded.indexOf('-nic') + 1], 'user,model=e1000,restrict=on,hostfwd=tcp:127.0.0.1:41234-:8080');
    assert.ok(qemuArgs(layout({ disk_bus: 'ide' })).includes('pc,accel=tcg'));
  });

  it('KVM is used only when the bounded probe runs a guest', async function () {
    assert.equal((await chooseAccel('auto', async () => 'hangs')).accel, 'tcg');
    assert.equal((await chooseAccel('auto', async () => undefined)).accel, 'kvm');
    assert.equal((await chooseAccel('tcg', async () => undefined)).accel, 'tcg');
  });

  it('a file that is not a disk image, and a qcow2 reading another host file, are FAIL', async function () {
    if (!(await hasQemuImg())) return this.skip();
    const text = path.join(dir, 'notes.raw');
    await writeFile(text, 'this is not a disk\n'.repeat(100));
    await assert.rejects(inspectImage(text), (err: unknown) => err instanceof DrillError && err.code === 'DISK_IMAGE_INVALID' && err.kind === 'backup' && err.message.includes(text));
    const secret = path.join(dir, 'host-secret');
    await writeFile(secret, Buffer.alloc(1024 * 1024));
    const sneaky = path.join(dir, 'sneaky.qcow2');
    await runProcess('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', secret, '-F', 'raw', sneaky], { env: { PATH: process.env.PATH! }, timeoutMs: 10_000 });
    await assert.rejects(inspectImage(sneaky), (err: unknown) => err instanceof DrillError && err.code === 'DISK_IMAGE_REFUSED');
    const good = path.join(dir, 'good.qcow2');
    await runProcess('qemu-img', ['create', '-q', '-f', 'qcow2', good, '16M'], { env: { PATH: process.env.PATH! }, timeoutMs: 10_000 });
    assert.deepEqual(await inspectImage(good), { file: good, format: 'qcow2', virtualSize: 16 * 1024 * 1024 });
  });

  it('vmdk and vhdx images (made here with qemu-img convert) are accepted with their format and virtual size, and take an overlay', async function () {
    if (!(await hasQemuImg())) return this.skip();
    const raw = path.join(dir, 'disk.raw');
    const disk = Buffer.alloc(8 * 1024 * 1024);
    disk[510] = 0x55;
    disk[511] = 0xaa;
    await writeFile(raw, disk);
    for (const format of ['vmdk', 'vhdx', 'vdi']) {
      const converted = path.join(dir, `disk.${format}`);
      const made = await runProcess('qemu-img', ['convert', '-q', '-f', 'raw', '-O', format, raw, converted], { env: { PATH: process.env.PATH! }, timeoutMs: 20_000 });
      assert.equal(made.exitCode, 0, made.stderr);
      const image = await inspectImage(converted);
      assert.deepEqual(image, { file: converted, format, virtualSize: 8 * 1024 * 1024 });
      await createOverlay(image, path.join(dir, `overlay-${format}.qcow2`));
    }
  });

  it('leftovers: a dead run\'s folder and the process naming it are removed; a live run\'s are kept', async function () {
    const dead = path.join(dir, 'restore-drill-vm-x-1');
    const live = path.join(dir, 'restore-drill-vm-x-2');
    await mkdir(dead);
    await mkdir(live);
    // A stand-in for QEMU whose command line names the scratch folder.
    const standIn = spawn('/bin/sh', ['-c', 'sleep 30', dead], { stdio: 'ignore' });
    await writeOwner(dead, { pid: 2 ** 22 + 1, host: os.hostname(), created: 0, run: 'r', qemuPid: standIn.pid });
    await writeOwner(live, { pid: process.pid, host: os.hostname(), created: 0, run: 'r' });
    try {
      const removed = await removeVmLeftovers(dir);
      assert.equal(removed.length, 1);
      assert.match(removed[0]!, /its QEMU, process \d+, was stopped/);
      await assert.rejects(stat(dead));
      await stat(live);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(standIn.exitCode !== null || standIn.signalCode !== null || !processAlive(standIn.pid!), true);
    } finally {
      standIn.kill('SIGKILL');
    }
  });
});

/**
 * From the restored tree to a machine layout: the disk image (judged by disk-image.ts), the kernel
 * and initrd of a direct boot, and every file the guest may write (overlay, UEFI variables) in the
 * scratch folder. Paths the scenario names must stay inside the restored tree, links included.
 */
import { copyFile, realpath, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { BackupError, InfrastructureError } from '../../errors.ts';
import type { SandboxSpec } from '../../scenario/schema.ts';
import type { VmMachineSpec } from '../../scenario/vm-schema.ts';
import type { AccelChoice } from './accel.ts';
import { createOverlay, inspectImage, type DiskImage } from './disk-image.ts';
import type { MachineLayout } from './qemu-args.ts';

const OVMF = { code: '/usr/share/OVMF/OVMF_CODE_4M.fd', vars: '/usr/share/OVMF/OVMF_VARS_4M.fd' };

export interface BootPlan {
  layout: MachineLayout;
  image: DiskImage;
}

export async function planBoot(options: { root: string; scratch: string; name: string; spec: SandboxSpec & { vm: VmMachineSpec }; accel: AccelChoice; signal?: AbortSignal }): Promise<BootPlan> {
  const { root, scratch, spec } = options;
  const machine = spec.vm;
  const image = await inspectImage(await restoredFile(root, machine.disk, 'sandbox.vm.disk', 'DISK_IMAGE_MISSING'), options.signal);
  const overlay = path.join(scratch, 'overlay.qcow2');
  await createOverlay(image, overlay, options.signal);
  const kernel = machine.kernel === undefined ? undefined : await restoredFile(root, machine.kernel, 'sandbox.vm.kernel', 'BACKUP_NOT_FOUND');
  const initrd = machine.initrd === undefined ? undefined : await restoredFile(root, machine.initrd, 'sandbox.vm.initrd', 'BACKUP_NOT_FOUND');
  const uefi = machine.firmware === 'uefi' && kernel === undefined ? await uefiFiles(scratch) : undefined;
  const forwards = new Map<number, number>();
  for (const port of machine.forward) forwards.set(port, await freePort());
  const files = { overlay, kernel, initrd, uefi, qmpSocket: path.join(scratch, 'q.sock'), agentSocket: path.join(scratch, 'g.sock'), serialLog: path.join(scratch, 'serial.log') };
  return { image, layout: { name: options.name, machine, accel: options.accel.accel, memoryBytes: spec.memory, cpus: spec.cpus, files, forwards } };
}

/** A regular file of the restored tree, by its real path: a link out of the tree is refused. */
async function restoredFile(root: string, relative: string, field: string, missing: 'DISK_IMAGE_MISSING' | 'BACKUP_NOT_FOUND'): Promise<string> {
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(path.join(root, relative));
  } catch {
    throw new BackupError(missing, `The restored backup has no ${relative} (${field}): check the path, relative to the restored tree.`);
  }
  if (real !== realRoot && !real.startsWith(`${realRoot}${path.sep}`)) {
    throw new BackupError('DISK_IMAGE_REFUSED', `${relative} (${field}) leads out of the restored backup to ${real}: refused.`);
  }
  if (!(await stat(real)).isFile()) throw new BackupError(missing, `${relative} (${field}) in the restored backup is not a file.`);
  return real;
}

async function uefiFiles(scratch: string): Promise<{ code: string; vars: string }> {
  try {
    await stat(OVMF.code);
  } catch {
    throw new InfrastructureError('VM_TOOL_MISSING', `firmware: uefi needs ${OVMF.code}: install the Debian package ovmf.`);
  }
  const vars = path.join(scratch, 'uefi-vars.fd');
  await copyFile(OVMF.vars, vars);
  return { code: OVMF.code, vars };
}

/** A port on 127.0.0.1 nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

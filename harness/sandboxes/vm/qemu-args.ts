/**
 * The QEMU command line of a drill machine, from the scenario's machine and the scratch folder's
 * files. Pure, so what isolation it asks for is tested without booting. No network device unless
 * ports are forwarded; then user networking with restrict=on and forwards bound to 127.0.0.1 only.
 */
import type { VmMachineSpec } from '../../scenario/vm-schema.ts';

export type Accel = 'kvm' | 'tcg';

export interface MachineFiles {
  /** The throwaway qcow2 overlay the guest writes to (its backing file is the restored image). */
  overlay: string;
  qmpSocket: string;
  agentSocket: string;
  serialLog: string;
  /** Absolute host paths of the kernel and initrd, for direct kernel boot. */
  kernel?: string;
  initrd?: string;
  /** UEFI: the firmware code (read-only) and a throwaway copy of its variable store. */
  uefi?: { code: string; vars: string };
}

export interface MachineLayout {
  name: string;
  machine: VmMachineSpec;
  accel: Accel;
  memoryBytes: number;
  cpus: number;
  files: MachineFiles;
  /** Guest port → host port on 127.0.0.1. */
  forwards: Map<number, number>;
}

export function qemuArgs(layout: MachineLayout): string[] {
  const { machine, files } = layout;
  // IDE needs the i440fx machine; q35 has AHCI (sata) and PCIe for virtio.
  const board = machine.disk_bus === 'ide' ? 'pc' : 'q35';
  return [
    '-name', layout.name,
    '-machine', `${board},accel=${layout.accel}`,
    '-cpu', layout.accel === 'kvm' ? 'host' : 'max',
    '-m', `${Math.max(64, Math.floor(layout.memoryBytes / 1024 / 1024))}M`,
    '-smp', String(Math.max(1, Math.round(layout.cpus))),
    '-nodefaults', '-no-user-config',
    '-display', 'none', '-vga', 'std',
    // The guest may not start programs, raise privileges or reach beyond what QEMU was given.
    '-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny',
    '-serial', `file:${files.serialLog}`,
    '-qmp', `unix:${files.qmpSocket},server=on,wait=off`,
    '-chardev', `socket,id=qga0,path=${files.agentSocket},server=on,wait=off`,
    '-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
    '-blockdev', JSON.stringify({ driver: 'qcow2', 'node-name': 'disk0', file: { driver: 'file', filename: files.overlay } }),
    ...diskDevice(machine.disk_bus),
    ...network(machine.nic, layout.forwards),
    ...boot(machine, files),
  ];
}

function diskDevice(bus: VmMachineSpec['disk_bus']): string[] {
  if (bus === 'virtio') return ['-device', 'virtio-blk-pci,drive=disk0'];
  if (bus === 'sata') return ['-device', 'ide-hd,drive=disk0,bus=ide.0'];
  return ['-device', 'ide-hd,drive=disk0,bus=ide.0,unit=0'];
}

function network(nic: VmMachineSpec['nic'], forwards: Map<number, number>): string[] {
  if (forwards.size === 0) return ['-nic', 'none'];
  const model = nic === 'virtio' ? 'virtio-net-pci' : 'e1000';
  const hostfwd = [...forwards].map(([guest, host]) => `hostfwd=tcp:127.0.0.1:${host}-:${guest}`);
  return ['-nic', ['user', `model=${model}`, 'restrict=on', ...hostfwd].join(',')];
}

function boot(machine: VmMachineSpec, files: MachineFiles): string[] {
  if (files.kernel) {
    return ['-kernel', files.kernel, ...(files.initrd ? ['-initrd', files.initrd] : []), '-append', machine.append ?? 'root=/dev/vda console=ttyS0'];
  }
  if (files.uefi) {
    return [
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${files.uefi.code}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${files.uefi.vars}`,
    ];
  }
  return [];
}

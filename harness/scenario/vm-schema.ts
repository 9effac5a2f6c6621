/**
 * The scenario fields of whole-machine drills: `sandbox.kind: vm` with its `sandbox.vm` machine, and
 * the readiness checks only a machine answers (boot, guest_agent, tcp, screen).
 */
import { z } from 'zod';
import { retryDeadline } from './values.ts';

/** A path inside the restored tree (for a directory source: inside the point's folder). */
const restoredPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a path inside the restored backup (no leading / and no ..)');

export const vmMachineSchema = z
  .strictObject({
    /** The disk image to boot (any format qemu-img knows: qcow2, raw, vmdk, vhdx, vdi). */
    disk: restoredPath,
    /** bios boots the image's own bootloader; uefi needs Debian's ovmf. Ignored with kernel. */
    firmware: z.enum(['bios', 'uefi']).default('bios'),
    /** Direct kernel boot for images without a bootloader: files of the restored backup. */
    kernel: restoredPath.optional(),
    initrd: restoredPath.optional(),
    append: z.string().optional(),
    disk_bus: z.enum(['virtio', 'sata', 'ide']).default('virtio'),
    nic: z.enum(['virtio', 'e1000']).default('virtio'),
    /** Guest TCP ports reachable from this host (127.0.0.1 only, free ports): then the guest gets a restricted user network. */
    forward: z.array(z.number().int().min(1).max(65535)).default([]),
    /** auto: KVM only when a bounded probe shows it runs a guest, else TCG (emulation). */
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
  })
  .refine((m) => m.kernel !== undefined || (m.initrd === undefined && m.append === undefined), { message: 'initrd and append need kernel (direct kernel boot)' });

export const bootCheckSchema = z.strictObject({
  /** Text the serial console must show, or /a regular expression/. */
  console: z.string().min(1).default('login:'),
  until: retryDeadline.default(5 * 60_000),
});

export const guestAgentCheckSchema = z.strictObject({
  until: retryDeadline.default(5 * 60_000),
});

export const tcpCheckSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** A guest port listed in sandbox.vm.forward. */
  port: z.number().int().min(1).max(65535),
  until: retryDeadline.default(5 * 60_000),
});

export const screenCheckSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** Text (or /a regular expression/) OCR must read on the screenshot (tesseract, English and Japanese). */
  text: z.string().min(1).optional(),
  /** How long to keep taking screenshots until the text shows. */
  until: retryDeadline.default(60_000),
});

/** The vm fields of `expect`, spread into expectSchema. */
export const vmExpectFields = {
  boot: bootCheckSchema.optional(),
  guest_agent: guestAgentCheckSchema.optional(),
  tcp: z.array(tcpCheckSchema).optional(),
  screen: screenCheckSchema.optional(),
};

export type VmMachineSpec = z.infer<typeof vmMachineSchema>;
export type BootCheckSpec = z.infer<typeof bootCheckSchema>;
export type GuestAgentCheckSpec = z.infer<typeof guestAgentCheckSchema>;
export type TcpCheckSpec = z.infer<typeof tcpCheckSchema>;
export type ScreenCheckSpec = z.infer<typeof screenCheckSchema>;

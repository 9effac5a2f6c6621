/**
 * The restored disk image, judged before anything boots it: qemu-img must read it as a disk image
 * (qcow2, raw, vmdk, vhdx, vdi ...), and it may not pull in other host files (a backing file, an
 * external data file, vmdk extents elsewhere): the backup may be an attacker's. Then the throwaway
 * qcow2 overlay the guest writes to; the image itself is only ever read.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { BackupError, InfrastructureError } from '../../errors.ts';
import { runProcess } from '../process.ts';

export interface DiskImage {
  file: string;
  format: string;
  virtualSize: number;
}

const QEMU_IMG = 'qemu-img';
const INFO_TIMEOUT_MS = 60_000;
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

export async function inspectImage(file: string, signal?: AbortSignal): Promise<DiskImage> {
  const result = await run(['info', '--output=json', '--force-share', file], signal);
  if (result.exitCode !== 0) {
    throw new BackupError('DISK_IMAGE_INVALID', `The disk image ${file} could not be read by qemu-img: ${lastLine(result.stderr)}. Check sandbox.vm.disk and that the backup holds the whole image.`);
  }
  const info = JSON.parse(result.stdout) as QemuImgInfo;
  refuseOutsideFiles(file, info);
  if (info.format === 'raw' && !(await looksLikeDisk(file))) {
    throw new BackupError('DISK_IMAGE_INVALID', `${file} is not a disk image: no partition table, boot sector or file system at its start. Check sandbox.vm.disk.`);
  }
  return { file, format: info.format, virtualSize: info['virtual-size'] };
}

/** Creates the qcow2 overlay whose backing file is the image, opened read-only with its known format. */
export async function createOverlay(image: DiskImage, overlay: string, signal?: AbortSignal): Promise<void> {
  const result = await run(['create', '-q', '-f', 'qcow2', '-b', image.file, '-F', image.format, overlay], signal);
  if (result.exitCode !== 0) throw new InfrastructureError('VM_OVERLAY_FAILED', `The throwaway overlay ${overlay} over ${image.file} could not be made: ${lastLine(result.stderr)}`);
}

interface QemuImgInfo {
  format: string;
  'virtual-size': number;
  filename?: string;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'format-specific'?: { type?: string; data?: { 'data-file'?: string; extents?: { filename?: string }[] } };
}

function refuseOutsideFiles(file: string, info: QemuImgInfo): void {
  const backing = info['full-backing-filename'] ?? info['backing-filename'];
  if (backing !== undefined) {
    throw new BackupError('DISK_IMAGE_REFUSED', `The disk image ${file} names a backing file (${backing}): an image that reads another file is refused. Restore a self-contained image (qemu-img convert).`);
  }
  const data = info['format-specific']?.data;
  if (data?.['data-file'] !== undefined) {
    throw new BackupError('DISK_IMAGE_REFUSED', `The disk image ${file} keeps its data in another file (${data['data-file']}): refused. Restore a self-contained image.`);
  }
  const outside = (data?.extents ?? []).map((e) => e.filename).filter((name): name is string => name !== undefined && path.resolve(path.dirname(file), name) !== path.resolve(file));
  if (outside.length > 0) {
    throw new BackupError('DISK_IMAGE_REFUSED', `The disk image ${file} is made of other files (${outside.slice(0, 3).join(', ')}): a multi-file vmdk is refused. Restore a single-file image (qemu-img convert).`);
  }
}

/** A raw file is a disk only when its start shows one: an MBR or GPT, or a known file system. */
async function looksLikeDisk(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(70 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const at = (offset: number, text: string) => bytesRead >= offset + text.length && head.toString('latin1', offset, offset + text.length) === text;
    const bootSignature = bytesRead >= 512 && head[510] === 0x55 && head[511] === 0xaa;
    const ext = bytesRead >= 1082 && head.readUInt16LE(1080) === 0xef53;
    return bootSignature || ext || at(512, 'EFI PART') || at(0, 'XFSB') || at(0x10040, '_BHRfS_M') || at(0x8001, 'CD001') || at(0, 'LUKS\xba\xbe') || at(0x218, 'LVM2');
  } finally {
    await handle.close();
  }
}

async function run(args: string[], signal?: AbortSignal) {
  try {
    return await runProcess(QEMU_IMG, args, { env: ENV, timeoutMs: INFO_TIMEOUT_MS, signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InfrastructureError('VM_TOOL_MISSING', 'qemu-img is not installed: install the Debian package qemu-utils.');
    throw err;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() || 'no message';
}

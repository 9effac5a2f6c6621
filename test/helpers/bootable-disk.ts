/**
 * Firmware-bootable disk images made by code, as a hypervisor's VM disks are, with GRUB as their own
 * bootloader and an ext4 root file system (labelled root) from a folder. No mounting, no loop
 * device: sfdisk writes the partition table, GRUB's images are written at their sectors, and
 * mkfs.vfat/mtools and mke2fs write the partitions at their offsets.
 * - UEFI: GPT, an EFI system partition with GRUB (grub-mkstandalone) at the removable-media path
 *   \EFI\BOOT\BOOTX64.EFI, which fresh UEFI variables find.
 * - BIOS: MBR with GRUB's boot.img in its first 440 bytes and core.img in the gap before the first
 *   partition (grub-mkimage sets core.img's block list for that place, as grub-install embeds it).
 * Needs fdisk, dosfstools, mtools, grub-efi-amd64-bin, grub-pc-bin and e2fsprogs.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../../harness/sandboxes/process.ts';

export const BOOTABLE_DISK_TOOLS = ['sfdisk', 'mkfs.vfat', 'mcopy', 'grub-mkstandalone', 'grub-mkimage', 'mke2fs'];
const BIOS_GRUB = '/usr/lib/grub/i386-pc';

const SECTOR = 512;
const ESP_START = 2048;
const ESP_SECTORS = 64 * 2048; // 64 MiB
const ROOT_MIB = 1200;

/** GRUB's configuration: boot /boot/vmlinuz and /boot/initrd.img of the file system labelled root. */
async function grubConfig(work: string, append: string): Promise<string> {
  const file = path.join(work, 'grub.cfg');
  await writeFile(file, ['set timeout=0', 'search --no-floppy --label root --set=root', `linux /boot/vmlinuz root=LABEL=root ro ${append}`, 'initrd /boot/initrd.img', 'boot', ''].join('\n'));
  return file;
}

export async function makeUefiDisk(tree: string, disk: string, work: string, append = 'console=ttyS0'): Promise<void> {
  const efi = path.join(work, 'BOOTX64.EFI');
  const rootStart = ESP_START + ESP_SECTORS;
  const table = ['label: gpt', `start=${ESP_START}, size=${ESP_SECTORS}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B`, `start=${rootStart}, size=${ROOT_MIB * 2048}, type=0FC63DAF-8483-4772-8E3D-6984A79D2E41`, ''].join('\n');
  const esp = `${disk}@@${ESP_START * SECTOR}`;
  await sh(`grub-mkstandalone -O x86_64-efi -o "$1" --modules="part_gpt ext2 search_label linux normal" --locales= --fonts= --themes= "boot/grub/grub.cfg=$2"`, [efi, await grubConfig(work, append)]);
  await sh(`truncate -s ${(rootStart * SECTOR) / 2 ** 20 + ROOT_MIB + 2}M "$1" && printf '%s' "$2" | sfdisk -q "$1"`, [disk, table]);
  // -s 1: mkfs.vfat sizes clusters for the whole disk, not the partition, and mtools then cannot read the FAT.
  await sh(`mkfs.vfat -F 32 -s 1 --offset=${ESP_START} "$1" ${(ESP_SECTORS * SECTOR) / 1024} >/dev/null && mmd -i "$2" ::/EFI ::/EFI/BOOT && mcopy -i "$2" "$3" ::/EFI/BOOT/BOOTX64.EFI`, [disk, esp, efi]);
  await rootFileSystem(tree, disk, rootStart);
}

export async function makeBiosDisk(tree: string, disk: string, work: string, append = 'console=ttyS0'): Promise<void> {
  const core = path.join(work, 'core.img');
  const rootStart = 2048;
  await sh(`grub-mkimage -O i386-pc -o "$1" -c "$2" -p "(hd0,msdos1)/boot/grub" biosdisk part_msdos ext2 search search_label linux normal`, [core, await grubConfig(work, append)]);
  await sh(`truncate -s ${ROOT_MIB + 2}M "$1" && printf 'label: dos\\nstart=${rootStart}, type=83, bootable\\n' | sfdisk -q "$1"`, [disk]);
  // boot.img's code only (440 bytes): the partition table sfdisk wrote stays.
  await sh(`dd if=${BIOS_GRUB}/boot.img of="$1" bs=440 count=1 conv=notrunc status=none && dd if="$2" of="$1" bs=${SECTOR} seek=1 conv=notrunc status=none`, [disk, core]);
  await rootFileSystem(tree, disk, rootStart);
}

async function rootFileSystem(tree: string, disk: string, startSector: number): Promise<void> {
  await sh(`mke2fs -q -F -t ext4 -L root -E offset=${startSector * SECTOR} -d "$2" "$1" ${ROOT_MIB}M`, [disk, tree]);
}

async function sh(script: string, args: string[]): Promise<void> {
  const result = await runProcess('/bin/sh', ['-c', script, 'sh', ...args], { env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' }, timeoutMs: 5 * 60_000 });
  if (result.exitCode !== 0) throw new Error(`${script.split(' ')[0]} failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

/**
 * A firmware-bootable disk image made by code, as a hypervisor's VM disk is: GPT with an EFI system
 * partition holding GRUB (grub-mkstandalone, at the removable-media path \EFI\BOOT\BOOTX64.EFI, so
 * fresh UEFI variables find it) and an ext4 root partition from a folder. No mounting, no loop
 * device: sfdisk writes the table, mkfs.vfat/mtools and mke2fs write the partitions at their offsets.
 * Needs fdisk, dosfstools, mtools, grub-efi-amd64-bin and e2fsprogs.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../../harness/sandboxes/process.ts';

export const UEFI_DISK_TOOLS = ['sfdisk', 'mkfs.vfat', 'mcopy', 'grub-mkstandalone', 'mke2fs'];

const SECTOR = 512;
const ESP_START = 2048;
const ESP_SECTORS = 64 * 2048; // 64 MiB
const ROOT_START = ESP_START + ESP_SECTORS;
const ROOT_MIB = 1200;

/** Writes `disk` (raw): GRUB boots /boot/vmlinuz and /boot/initrd.img of the root file system labelled root. */
export async function makeUefiDisk(tree: string, disk: string, work: string, append = 'console=ttyS0'): Promise<void> {
  const grubCfg = path.join(work, 'grub.cfg');
  await writeFile(grubCfg, ['set timeout=0', 'search --no-floppy --label root --set=root', `linux /boot/vmlinuz root=LABEL=root ro ${append}`, 'initrd /boot/initrd.img', 'boot', ''].join('\n'));
  const efi = path.join(work, 'BOOTX64.EFI');
  const table = ['label: gpt', `start=${ESP_START}, size=${ESP_SECTORS}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B`, `start=${ROOT_START}, size=${ROOT_MIB * 2048}, type=0FC63DAF-8483-4772-8E3D-6984A79D2E41`, ''].join('\n');
  const esp = `${disk}@@${ESP_START * SECTOR}`;
  await sh(`grub-mkstandalone -O x86_64-efi -o "$1" --modules="part_gpt ext2 search_label linux normal" --locales= --fonts= --themes= "boot/grub/grub.cfg=$2"`, [efi, grubCfg]);
  await sh(`truncate -s ${Math.ceil((ROOT_START * SECTOR) / 2 ** 20) + ROOT_MIB + 2}M "$1" && printf '%s' "$2" | sfdisk -q "$1"`, [disk, table]);
  // -s 1: mkfs.vfat sizes clusters for the whole disk, not the partition, and mtools then cannot read the FAT.
  await sh(`mkfs.vfat -F 32 -s 1 --offset=${ESP_START} "$1" ${(ESP_SECTORS * SECTOR) / 1024} >/dev/null && mmd -i "$2" ::/EFI ::/EFI/BOOT && mcopy -i "$2" "$3" ::/EFI/BOOT/BOOTX64.EFI`, [disk, esp, efi]);
  await sh(`mke2fs -q -F -t ext4 -L root -E offset=${ROOT_START * SECTOR} -d "$2" "$1" ${ROOT_MIB}M`, [disk, tree]);
}

async function sh(script: string, args: string[]): Promise<void> {
  const result = await runProcess('/bin/sh', ['-c', script, 'sh', ...args], { env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' }, timeoutMs: 5 * 60_000 });
  if (result.exitCode !== 0) throw new Error(`${script.split(' ')[0]} failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

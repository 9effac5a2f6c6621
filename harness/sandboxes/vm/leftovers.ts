/**
 * What a killed run leaves of a drill machine: its scratch folder (owner file, overlay, sockets) and
 * perhaps a QEMU still running. The owner file names the harness process, this host and QEMU's pid;
 * the next run removes both by the one leftover rule of every driver (../leftovers.ts). A QEMU is
 * killed only when its command line names that scratch folder, so a reused pid is never hit.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { leftoverJudge, leftoverReason, readOwnerFile } from '../leftovers.ts';
import { processAlive } from '../process.ts';

export const VM_PREFIX = 'restore-drill-vm-';
const OWNER_FILE = 'owner.json';

export interface VmOwner {
  pid: number;
  host: string;
  created: number;
  run: string;
  qemuPid?: number;
}

export async function writeOwner(scratch: string, owner: VmOwner): Promise<void> {
  await writeFile(path.join(scratch, OWNER_FILE), JSON.stringify(owner));
}

export async function removeVmLeftovers(baseDir: string, judge = leftoverJudge()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(baseDir).catch(() => [] as string[])) {
    if (!name.startsWith(VM_PREFIX)) continue;
    const dir = path.join(baseDir, name);
    const reason = leftoverReason(await readOwnerFile(path.join(dir, OWNER_FILE)), judge);
    if (!reason) continue;
    const qemuPid = (await readOwner(dir))?.qemuPid;
    const killed = qemuPid !== undefined && (await killQemuOf(qemuPid, dir));
    await rm(dir, { recursive: true, force: true });
    removed.push(`removed the virtual machine ${dir} left by a run that ended without cleaning up: the ${reason}${killed ? `; its QEMU, process ${qemuPid}, was stopped` : ''}`);
  }
  return removed;
}

async function killQemuOf(pid: number, dir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(dir)) return false;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return false;
  }
  for (let i = 0; i < 50 && processAlive(pid) && !(await isZombie(pid)); i++) await new Promise((r) => setTimeout(r, 100));
  return true;
}

async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || / Z /.test(stat);
}

async function readOwner(dir: string): Promise<VmOwner | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as VmOwner;
  } catch {
    return undefined;
  }
}

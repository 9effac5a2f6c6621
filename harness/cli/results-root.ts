/**
 * --results is checked before any drill starts: it must be a folder this user can write, or one it
 * can create, on a real file system. Nothing is created here; the drill creates the folder later.
 *
 * Why /proc and /sys are refused by name and by file system type: there, mkdir of a new folder fails
 * with ENOENT although its parent exists, and Node's recursive mkdir answers ENOENT by making the
 * parent (which exists) and trying again, forever, on a thread that SIGTERM cannot stop.
 */
import { constants } from 'node:fs';
import { access, realpath, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.ts';

const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];
/** statfs types of file systems that hold no files: proc, sysfs, cgroup, cgroup2, debugfs, tracefs, securityfs, devpts. */
const PSEUDO_TYPES = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673, 0x1cd1]);

/** The absolute results folder, or a UsageError naming the path and what to do. */
export async function checkResultsRoot(flag: string, option = '--results'): Promise<string> {
  const absolute = path.resolve(flag);
  const refuse = (why: string) => new UsageError(`${option} ${flag}: ${why}`);
  const found = await nearestExisting(absolute).catch((err: NodeJS.ErrnoException) => {
    throw refuse(`cannot be looked at (${err.code ?? String(err)}). Give a folder this user may write.`);
  });
  const { existing, missing } = found;
  if (!(await stat(existing)).isDirectory()) {
    throw refuse(missing ? `${existing} is a file, so no results folder can be made inside it. Give a folder.` : 'is a file, not a folder. Give a folder (it is created when missing).');
  }
  const real = await realpath(existing);
  if (PSEUDO_ROOTS.some((root) => real === root || real.startsWith(`${root}/`)) || PSEUDO_TYPES.has(Number((await statfs(real)).type))) {
    throw refuse(`${real} is a system file system (/proc, /sys, /dev), where results cannot be kept. Give a folder on a disk.`);
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw refuse(`${existing} is not writable by this user. Give a folder it may write, or change its permissions.`);
  }
  return absolute;
}

/** The deepest ancestor of `dir` (or dir itself) that exists, and whether dir itself is missing. */
async function nearestExisting(dir: string): Promise<{ existing: string; missing: boolean }> {
  let current = dir;
  for (;;) {
    const gone = (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ENOTDIR' ? false : Promise.reject(err));
    const found = await stat(current).then(() => true, gone);
    if (found) return { existing: current, missing: current !== dir };
    const parent = path.dirname(current);
    if (parent === current) return { existing: current, missing: true };
    current = parent;
  }
}

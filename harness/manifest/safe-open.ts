/**
 * Reading the restored tree from the host, safely. The tree is hostile: the backup may hold a link to
 * the evidence signing key, a restore step may leave a FIFO (a reader blocks on it for good) or a link
 * to /dev/zero (a reader never ends). So every host-side reader opens here: O_NOFOLLOW|O_NONBLOCK on
 * the file itself, then fstat of what was opened, and only a regular file is read; a link is named with
 * its target, never read through; a FIFO, socket or device is named as such. Folders above the file
 * may be links only when they stay inside the restore folder.
 *
 * What remains (no openat in Node): the folders above a file are resolved (realpath) before the open,
 * not held open, so a process racing the drill could swap one for a link in between. Readers that show
 * content (the text check) close that gap by checking, after the open, where the open descriptor really
 * is (/proc/self/fd); the hashing workers, which only ever report digests, do not pay for that check.
 */
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../errors.ts';
import { displayBytes } from './names.ts';
import { kindOf, notRegular, SAFE_OPEN_FLAGS, UnsafePathError } from './safe-open-sync.ts';

export { describeKind, kindOf, linkTargetSync, openRegularSync, SAFE_OPEN_FLAGS, UnsafePathError, type EntryKind } from './safe-open-sync.ts';

export async function linkTarget(file: string | Buffer): Promise<string | undefined> {
  return readlink(file, { encoding: 'buffer' }).then(displayBytes, () => undefined);
}

export async function openRegular(file: string | Buffer): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, SAFE_OPEN_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw notRegular('symlink', await linkTarget(file));
    throw err;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw notRegular(kindOf(stats));
  }
  return { handle, size: stats.size };
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * The real path of `relative` under `root`, its folders resolved: refused (OUTSIDE_RESTORE, naming the
 * link that leads out) when it or a folder link on the way leads outside root. With `whole`, the last
 * component is resolved too (a folder to walk); else it is left for an O_NOFOLLOW open.
 */
export async function resolveInside(root: string, relative: string, options: { whole?: boolean } = {}): Promise<string> {
  const realRoot = await realpath(root);
  const lexical = path.resolve(realRoot, relative);
  if (!isInside(realRoot, lexical)) throw new UnsafePathError('OUTSIDE_RESTORE', `${relative}: the path leads outside the restore folder: not read`);
  const resolved = options.whole ? await realpath(lexical) : path.join(await realpath(path.dirname(lexical)), path.basename(lexical));
  if (isInside(realRoot, resolved)) return resolved;
  throw new UnsafePathError('OUTSIDE_RESTORE', `${relative}: ${await linkLeadingOut(realRoot, lexical)}, outside the restore folder: not read`);
}

/** Names the first link on the way from root to target ("etc is a symbolic link to /etc"). */
async function linkLeadingOut(root: string, target: string): Promise<string> {
  const parts = path.relative(root, target).split(path.sep);
  for (let i = 1; i <= parts.length; i++) {
    const component = parts.slice(0, i).join('/');
    const info = await lstat(path.join(root, component)).catch(() => undefined);
    if (info?.isSymbolicLink()) return `${component} is a symbolic link to ${await linkTarget(path.join(root, component))}`;
  }
  return 'a folder on the way was replaced by a link';
}

/**
 * Reads a regular file inside root, at most maxBytes (a larger file: `tooLarge` with its size, nothing
 * read), stopping on abort. Refusals throw UnsafePathError; a missing file throws ENOENT.
 */
export async function readInside(
  root: string,
  relative: string,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<{ bytes: Buffer } | { tooLarge: number }> {
  const { handle, size } = await openInside(root, relative);
  try {
    if (size > options.maxBytes) return { tooLarge: size };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, options.maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      // It grew while being read: judged by what it is now.
      if (total > options.maxBytes) return { tooLarge: total };
    }
    return { bytes: Buffer.concat(chunks, total) };
  } finally {
    await handle.close();
  }
}

/** Opens a regular file inside root (see readInside): refusals throw UnsafePathError, a missing file ENOENT. */
export async function openInside(root: string, relative: string): Promise<{ handle: FileHandle; size: number }> {
  const opened = await openRegular(await resolveInside(root, relative));
  try {
    await checkStillInside(opened.handle, root, relative);
  } catch (err) {
    await opened.handle.close();
    throw err;
  }
  return opened;
}

/** Where the open descriptor really is (Linux): closes the race between resolving and opening. */
async function checkStillInside(handle: FileHandle, root: string, relative: string): Promise<void> {
  const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
  if (opened === undefined) return;
  if (!isInside(await realpath(root), opened)) {
    throw new UnsafePathError('OUTSIDE_RESTORE', `${relative}: a folder on the way was replaced by a link while it was opened, to ${opened}, outside the restore folder: not read`);
  }
}

/**
 * A folder inside the restore to walk (a check's `path`), its links resolved: a BackupError (FAIL) when
 * it leads outside root. A folder that does not exist is returned as named (the walk reports it).
 */
export async function folderInside(root: string, relative: string, field: string): Promise<string> {
  try {
    return await resolveInside(root, relative, { whole: true });
  } catch (err) {
    if (err instanceof UnsafePathError) throw new BackupError('PATH_OUTSIDE_RESTORE', `${field} ${err.message}: it must name a folder inside the restore.`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path.resolve(root, relative);
    throw err;
  }
}

/**
 * The synchronous part of the safe open (see safe-open.ts for the rules): what a hashing worker needs,
 * and no more, so that a worker starts without loading the asynchronous readers and the error table.
 */
import { closeSync, constants, fstatSync, openSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { displayBytes } from './names.ts';

export const SAFE_OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export type EntryKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device' | 'other';

export function kindOf(stats: Stats | Dirent<string | Buffer>): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'char-device';
  if (stats.isBlockDevice()) return 'block-device';
  return 'other';
}

const DESCRIPTIONS: Record<EntryKind, string> = {
  file: 'a regular file',
  directory: 'a folder',
  symlink: 'a symbolic link',
  fifo: 'a FIFO (named pipe)',
  socket: 'a socket',
  'char-device': 'a character device',
  'block-device': 'a block device',
  other: 'not a regular file',
};

/** "a symbolic link to /dev/zero", "a FIFO (named pipe)". */
export function describeKind(kind: EntryKind, target?: string): string {
  return kind === 'symlink' && target !== undefined ? `a symbolic link to ${target}` : DESCRIPTIONS[kind];
}

/** What a path turned out to be when a reader refused it, or that it is outside the restore. */
export class UnsafePathError extends Error {
  readonly code: 'NOT_REGULAR' | 'OUTSIDE_RESTORE';
  readonly kind?: EntryKind;
  constructor(code: 'NOT_REGULAR' | 'OUTSIDE_RESTORE', message: string, kind?: EntryKind) {
    super(message);
    this.code = code;
    this.kind = kind;
  }
}

export function notRegular(kind: EntryKind, target?: string): UnsafePathError {
  return new UnsafePathError('NOT_REGULAR', `is ${describeKind(kind, target)}, not a regular file: not read`, kind);
}

/** A link's target for display (its raw bytes, escaped when not UTF-8). */
export function linkTargetSync(file: string | Buffer): string | undefined {
  try {
    return displayBytes(readlinkSync(file, { encoding: 'buffer' }));
  } catch {
    return undefined;
  }
}

/** Opens a regular file for reading, never through a link, never blocking; throws UnsafePathError otherwise. */
export function openRegularSync(file: string | Buffer): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, SAFE_OPEN_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw notRegular('symlink', linkTargetSync(file));
    throw err;
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw notRegular(kindOf(stats));
  }
  return { fd, size: stats.size };
}

/**
 * Copies one file of a snapshot into the restore folder, hashing its bytes on the way (known-digests.ts):
 * the files check then needs no second read. The snapshot side is read asynchronously (it may be a slow
 * share); the restore folder's side is written with synchronous calls (a local disk: microseconds
 * each, where an asynchronous call is a round trip through the thread pool). The source is opened
 * without following a link and without blocking (a FIFO swapped in is refused, not waited on), and no
 * more than the size charged to the budget is copied.
 *
 * Where the file system clones (reflink.ts), the open source is cloned into the open target instead,
 * and the target, not the source, is read to take its digest: the digest is of the bytes restored
 * even if the snapshot changes after the clone.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { DigestRecorder } from '../manifest/known-digests.ts';
import type { Reflinks } from './reflink.ts';

const READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
// Read as well as written: a cloned target is read back for its digest.
const CREATE = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** A large cloned file is read back in runs of this many bytes between turns of the event loop (timers, signals). */
const READ_BACK_RUN = 64 * 1024 * 1024;

export interface HashingCopyOptions {
  /** Told the size before a byte is written (the restore budget's charge, which may throw). */
  charge(size: number): void;
  digests?: DigestRecorder;
  /** A buffer the copy reads into, used again for every file. */
  buffer: Buffer;
  /** Clones where the file system can, for this restore; absent: always copies. */
  reflinks?: Reflinks;
}

interface Copied {
  bytes: number;
  digest?: Buffer;
}

/** Copies `from` to a new file `to` with its permission bits; the bytes copied. */
export async function copyHashing(from: string | Buffer, to: string | Buffer, options: HashingCopyOptions): Promise<number> {
  const source = await open(from, READ);
  try {
    const info = await source.stat();
    if (!info.isFile()) throw new Error('it is no longer a regular file');
    options.charge(info.size);
    const fd = openSync(to, CREATE, 0o600);
    try {
      const copied = options.reflinks?.clone(source.fd, fd) ? await hashCloned(fd, info.size, options) : await copyBytes(source, fd, info.size, options);
      fchmodSync(fd, info.mode & 0o7777);
      if (copied.digest) options.digests!.record(fstatSync(fd, { bigint: true }), copied.digest);
      return copied.bytes;
    } finally {
      closeSync(fd);
    }
  } finally {
    await source.close();
  }
}

async function copyBytes(source: FileHandle, fd: number, size: number, options: HashingCopyOptions): Promise<Copied> {
  const hash = options.digests ? createHash('sha256') : undefined;
  let copied = 0;
  while (copied < size) {
    const { bytesRead } = await source.read(options.buffer, 0, Math.min(options.buffer.length, size - copied), copied);
    if (bytesRead === 0) break; // it shrank while being copied: the check sees what was copied
    const piece = options.buffer.subarray(0, bytesRead);
    hash?.update(piece);
    for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at, piece.length - at);
    copied += bytesRead;
  }
  return { bytes: copied, digest: hash?.digest() };
}

/** A clone holds the source as it was at the clone: cut to the size charged if it grew since its fstat.
 * Read back synchronously, as the copy writes (the target is in the restore folder: measured faster
 * than a thread-pool round trip a chunk), letting the event loop turn between long runs. */
async function hashCloned(fd: number, charged: number, options: HashingCopyOptions): Promise<Copied> {
  let size = fstatSync(fd).size;
  if (size > charged) ftruncateSync(fd, (size = charged));
  if (!options.digests) return { bytes: size };
  const hash = createHash('sha256');
  let hashed = 0;
  while (hashed < size) {
    const bytesRead = readSync(fd, options.buffer, 0, Math.min(options.buffer.length, size - hashed), hashed);
    if (bytesRead === 0) break;
    hash.update(options.buffer.subarray(0, bytesRead));
    if (Math.floor((hashed + bytesRead) / READ_BACK_RUN) > Math.floor(hashed / READ_BACK_RUN)) await yieldToEvents();
    hashed += bytesRead;
  }
  return { bytes: hashed, digest: hash.digest() };
}

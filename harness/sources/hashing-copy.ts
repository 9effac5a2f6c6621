/**
 * Copies one file of a snapshot into the restore folder, hashing its bytes on the way (known-digests.ts):
 * the files check then needs no second read. The snapshot side is read asynchronously (it may be a slow
 * share); the restore folder's side is written with synchronous calls (a local disk: microseconds
 * each, where an asynchronous call is a round trip through the thread pool). The source is opened
 * without following a link and without blocking (a FIFO swapped in is refused, not waited on), and no
 * more than the size charged to the budget is copied.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { DigestRecorder } from '../manifest/known-digests.ts';

const READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface HashingCopyOptions {
  /** Told the size before a byte is written (the restore budget's charge, which may throw). */
  charge(size: number): void;
  digests?: DigestRecorder;
  /** A buffer the copy reads into, used again for every file. */
  buffer: Buffer;
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
      const hash = options.digests ? createHash('sha256') : undefined;
      let copied = 0;
      while (copied < info.size) {
        const { bytesRead } = await source.read(options.buffer, 0, Math.min(options.buffer.length, info.size - copied), copied);
        if (bytesRead === 0) break; // it shrank while being copied: the check sees what was copied
        const piece = options.buffer.subarray(0, bytesRead);
        hash?.update(piece);
        for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at, piece.length - at);
        copied += bytesRead;
      }
      fchmodSync(fd, info.mode & 0o7777);
      if (hash) options.digests!.record(fstatSync(fd, { bigint: true }), hash.digest());
      return copied;
    } finally {
      closeSync(fd);
    }
  } finally {
    await source.close();
  }
}

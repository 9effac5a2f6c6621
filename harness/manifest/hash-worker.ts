/**
 * A hashing worker: takes a batch of files, reads each in fixed-size chunks (memory flat whatever the
 * file size) and answers with their digests. Reads are synchronous: this thread has nothing else to
 * do, and it saves a round trip through the I/O thread pool per read, which dominates for small files.
 */
import { createHash, hash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openRegularSync } from './safe-open-sync.ts';

export interface HashRequest {
  id: number;
  /** Raw bytes when the path is not UTF-8. */
  path: string | Uint8Array;
}

export type HashReply = { id: number; digest: string; size: number } | { id: number; error: string; code?: string };

const buffer = Buffer.allocUnsafe((workerData as { bufferSize: number }).bufferSize);

function hashFile(file: string | Uint8Array): { digest: string; size: number } {
  // Never through a link, never blocking on a FIFO, never a device: the tree may be hostile.
  const { fd, size: statSize } = openRegularSync(typeof file === 'string' ? file : Buffer.from(file.buffer, file.byteOffset, file.byteLength));
  try {
    const first = readSync(fd, buffer, 0, buffer.length, null);
    // A regular file read short, having given at least its size, is at its end: a file smaller than
    // the buffer costs one read and one call into the hash, not a read of nothing and three calls.
    if (first < buffer.length && first >= statSize) return { digest: hash('sha256', buffer.subarray(0, first)), size: first };
    const digest = createHash('sha256').update(buffer.subarray(0, first));
    let size = first;
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      digest.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { digest: digest.digest('hex'), size };
  } finally {
    closeSync(fd);
  }
}

function answer(request: HashRequest): HashReply {
  try {
    return { id: request.id, ...hashFile(request.path) };
  } catch (err) {
    const { message, code } = err as NodeJS.ErrnoException;
    // The path is the caller's to show (escaped when not UTF-8): "EACCES: permission denied" alone.
    return { id: request.id, error: message.replace(/, \w+ '.*'$/s, ''), code };
  }
}

parentPort!.on('message', (batch: HashRequest[]) => {
  parentPort!.postMessage(batch.map(answer));
});

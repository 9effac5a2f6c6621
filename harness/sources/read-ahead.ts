/**
 * A file's bytes in chunks, the next one read (on the thread pool) while the caller works on the
 * current one, into a small ring of buffers used again and again: no fresh memory a chunk (which cost
 * a garbage collection every few megabytes), and reading overlaps writing. A chunk is valid only until
 * RING - 2 further chunks have been asked for: the caller copies what it keeps longer (the tar reader
 * copies headers; bodies are written and hashed before the next piece is asked for).
 */
import { open } from 'node:fs/promises';

export const CHUNK = 1024 * 1024;
export const RING = 4;

export async function* readAhead(file: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  const ring = Array.from({ length: RING }, () => Buffer.allocUnsafeSlow(CHUNK));
  let position = 0;
  let turn = 0;
  let pending = handle.read(ring[0]!, 0, CHUNK, 0);
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      signal?.throwIfAborted();
      if (bytesRead === 0) return;
      position += bytesRead;
      turn = (turn + 1) % RING;
      pending = handle.read(ring[turn]!, 0, CHUNK, position);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/** A hashing worker: reads files in fixed-size chunks (memory flat whatever the file size). */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

export interface HashRequest {
  id: number;
  path: string;
}

export type HashReply = { id: number; digest: string; size: number } | { id: number; error: string; code?: string };

const bufferSize: number = (workerData as { bufferSize: number }).bufferSize;
const freeBuffers: Buffer[] = [];

async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const buffer = freeBuffers.pop() ?? Buffer.allocUnsafe(bufferSize);
  const handle = await open(file, 'r');
  try {
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { digest: hash.digest('hex'), size };
  } finally {
    freeBuffers.push(buffer);
    await handle.close();
  }
}

parentPort!.on('message', (request: HashRequest) => {
  hashFile(request.path).then(
    (result) => parentPort!.postMessage({ id: request.id, ...result } satisfies HashReply),
    (err: NodeJS.ErrnoException) =>
      parentPort!.postMessage({ id: request.id, error: err.message, code: err.code } satisfies HashReply),
  );
});

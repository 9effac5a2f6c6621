/** The thread that hashes large files' bytes for hash-offload.ts: pieces in, buffers back, digests out. */
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

export type OffloadRequest = { op: 'update'; id: number; buffer: ArrayBuffer; length: number } | { op: 'end'; id: number };
export type OffloadReply = { op: 'free'; buffer: ArrayBuffer } | { op: 'digest'; id: number; digest: Uint8Array };

const hashes = new Map<number, Hash>();

parentPort!.on('message', (request: OffloadRequest) => {
  if (request.op === 'update') {
    let hash = hashes.get(request.id);
    if (!hash) hashes.set(request.id, (hash = createHash('sha256')));
    hash.update(new Uint8Array(request.buffer, 0, request.length));
    parentPort!.postMessage({ op: 'free', buffer: request.buffer } satisfies OffloadReply, [request.buffer]);
    return;
  }
  const digest = (hashes.get(request.id) ?? createHash('sha256')).digest();
  hashes.delete(request.id);
  parentPort!.postMessage({ op: 'digest', id: request.id, digest } satisfies OffloadReply);
});

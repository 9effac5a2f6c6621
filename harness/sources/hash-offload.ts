/**
 * SHA-256 of large files on another core while the extractor writes them: each piece is copied into
 * one of a few buffers that are handed (transferred, not copied) to a worker thread and handed back
 * once hashed. Writing and hashing then overlap, where on one thread they add up. With every buffer
 * out, the writer waits for one: memory stays at BUFFERS pieces. Small files are hashed inline by the
 * caller (a message per file would cost more than their hashing).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEnv } from '../compile-cache-env.ts';
import type { OffloadReply, OffloadRequest } from './hash-offload-worker.ts';

const BUFFERS = 4;

export class HashOffload {
  private readonly worker: Worker;
  private readonly free: ArrayBuffer[] = [];
  private readonly waiting: Array<(buffer: ArrayBuffer) => void> = [];
  private readonly digests = new Map<number, { resolve(digest: Buffer): void; reject(err: Error): void }>();
  private failure: Error | undefined;
  private nextId = 1;
  private readonly pieceSize: number;

  constructor(pieceSize: number) {
    this.pieceSize = pieceSize;
    for (let i = 0; i < BUFFERS; i++) this.free.push(new ArrayBuffer(pieceSize));
    // Beside this module: .ts in a checkout, .js in the built package.
    this.worker = new Worker(new URL(`./hash-offload-worker${path.extname(import.meta.url)}`, import.meta.url), { env: workerEnv() });
    this.worker.on('message', (reply: OffloadReply) => this.answer(reply));
    this.worker.on('error', (err) => this.fail(err));
  }

  /** A new file to hash; its id for `update` and `end`. */
  start(): number {
    return this.nextId++;
  }

  /** Sends a copy of `piece` (at most the piece size) to be hashed; waits only when every buffer is out. */
  async update(id: number, piece: Buffer): Promise<void> {
    for (let at = 0; at < piece.length; at += this.pieceSize) {
      const part = piece.subarray(at, at + this.pieceSize);
      const buffer = this.free.pop() ?? (await this.takeFree());
      new Uint8Array(buffer).set(part);
      this.post({ op: 'update', id, buffer, length: part.length }, [buffer]);
    }
  }

  /** The file's digest, once the worker has hashed every piece sent before. */
  end(id: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.digests.set(id, { resolve, reject });
      this.post({ op: 'end', id });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('the hashing thread was stopped'));
    await this.worker.terminate();
  }

  private takeFree(): Promise<ArrayBuffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private post(request: OffloadRequest, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(request, transfer);
  }

  private answer(reply: OffloadReply): void {
    if (reply.op === 'free') {
      const next = this.waiting.shift();
      if (next) next(reply.buffer);
      else this.free.push(reply.buffer);
      return;
    }
    const pending = this.digests.get(reply.id);
    this.digests.delete(reply.id);
    pending?.resolve(Buffer.from(reply.digest.buffer, reply.digest.byteOffset, reply.digest.byteLength));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const pending of this.digests.values()) pending.reject(this.failure);
    this.digests.clear();
    // Writers waiting for a buffer get one of their own: they then fail at their next post.
    for (const next of this.waiting.splice(0)) next(new ArrayBuffer(this.pieceSize));
  }
}

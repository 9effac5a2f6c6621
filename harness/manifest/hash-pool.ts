/**
 * SHA-256 of files on all cores: a pool of worker threads, each reading in fixed-size chunks. Files
 * waiting in the queue go to a worker in batches, so that thousands of small files do not cost a
 * message each; with a short queue a batch is one file, so large files spread over all workers.
 * The workers start when the pool is made (each costs tens of milliseconds to load), so that their
 * start overlaps what comes before the first file (reading the manifest, a restore) instead of
 * delaying it; an idle worker does not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEnv } from '../compile-cache-env.ts';
import type { HashReply, HashRequest } from './hash-worker.ts';

export interface FileDigest {
  digest: string;
  size: number;
}

export interface HashPoolOptions {
  workers?: number;
  /** Bytes read at a time per file. */
  bufferSize?: number;
  /** Batches each worker holds at once (one hashing, one waiting). */
  perWorker?: number;
  /** Most files sent to a worker in one message. */
  batchMax?: number;
}

export class HashFileError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

interface Pending {
  request: HashRequest;
  resolve(value: FileDigest): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  online: Promise<void>;
  /** Files sent to this worker and not answered yet. */
  pending: Map<number, Pending>;
  batches: number;
}

export class HashPool {
  readonly workers: number;
  readonly bufferSize: number;
  private readonly perWorker: number;
  private readonly batchMax: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.workers = Math.max(1, options.workers ?? availableParallelism());
    this.bufferSize = options.bufferSize ?? 1024 * 1024;
    this.perWorker = Math.max(1, options.perWorker ?? 2);
    this.batchMax = Math.max(1, options.batchMax ?? 32);
    for (let i = 0; i < this.workers; i++) this.startWorker();
  }

  /** Resolves when the workers have started, with how many run. */
  async ready(): Promise<number> {
    await Promise.all(this.slots.map((slot) => slot.online));
    return this.slots.length;
  }

  /** How many files callers may usefully have waiting at once. */
  get capacity(): number {
    return this.workers * this.perWorker * this.batchMax;
  }

  /** A path that is not UTF-8 comes as its bytes. */
  hash(path: string | Buffer): Promise<FileDigest> {
    if (this.closed) return Promise.reject(new Error('the hash pool is closed'));
    // A copy of its own: a pooled Buffer would send its whole 8 KiB pool to the worker.
    const sent = typeof path === 'string' ? path : new Uint8Array(path);
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, path: sent }, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const failure = new Error('the hash pool was closed');
    for (const pending of this.queue.splice(0)) pending.reject(failure);
    await Promise.all(this.slots.splice(0).map(async (slot) => {
      for (const pending of slot.pending.values()) pending.reject(failure);
      await slot.worker.terminate();
    }));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) return;
      const size = Math.min(this.batchMax, Math.ceil(this.queue.length / this.workers));
      const batch = this.queue.splice(0, size);
      for (const pending of batch) slot.pending.set(pending.request.id, pending);
      if (slot.batches++ === 0) slot.worker.ref();
      slot.worker.postMessage(batch.map((p) => p.request));
    }
  }

  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.batches < this.perWorker && (!best || slot.batches < best.batches)) best = slot;
    }
    if (best && best.batches === 0) return best;
    if (this.slots.length < this.workers) return this.startWorker();
    return best;
  }

  private startWorker(): Slot {
    // The worker beside this module: hash-worker.ts in a checkout, hash-worker.js in the built package.
    const worker = new Worker(new URL(`./hash-worker${path.extname(import.meta.url)}`, import.meta.url), { workerData: { bufferSize: this.bufferSize }, env: workerEnv() });
    const online = new Promise<void>((resolve) => {
      worker.once('online', resolve);
      worker.once('error', () => resolve());
    });
    const slot: Slot = { worker, online, pending: new Map(), batches: 0 };
    worker.on('message', (replies: HashReply[]) => {
      if (--slot.batches === 0) worker.unref();
      for (const reply of replies) {
        const pending = slot.pending.get(reply.id);
        if (!pending) continue;
        slot.pending.delete(reply.id);
        if ('error' in reply) pending.reject(new HashFileError(reply.error, reply.code));
        else pending.resolve({ digest: reply.digest, size: reply.size });
      }
      this.dispatch();
    });
    worker.on('error', (err) => {
      for (const pending of slot.pending.values()) pending.reject(err);
      slot.pending.clear();
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.dispatch();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}

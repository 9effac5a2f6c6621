/**
 * SHA-256 digests taken while a restore wrote its files (the tar extractor, the directory copy), so
 * that the files check need not read them a second time. A digest is reused only for the same file,
 * unchanged: it is keyed by (device, inode), and the file's size, modification and change times (in
 * nanoseconds) must be those recorded once the restore had written it. Anything that writes to the
 * file afterwards (a restore step, a check) moves its change time, which no program can set back: such
 * a file is read and hashed again. The change time has the clock's coarse resolution, so the records
 * are only trusted once the clock has moved past the last one (`seal`): a write in the same tick as
 * the restore's own would otherwise keep the same time.
 *
 * Compact for millions of files: fixed 72-byte records in one buffer and an open-addressing index of
 * record numbers, at most MAX_RECORDS of them; files past that are simply hashed again by the check.
 */
import { lstatSync, type BigIntStats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FileDigest, HashPool } from './hash-pool.ts';

/** What the files check consumes. */
export interface KnownDigests {
  /** The digest of what the restore wrote into this file, when the file is as the restore left it. */
  lookup(stats: BigIntStats): FileDigest | undefined;
}

const RECORD = 72; // dev, ino, size, mtime ns, ctime ns (8 bytes each), digest (32)
const DIGEST_AT = 40;
export const MAX_RECORDS = 1 << 20;
/** Longer than any clock tick the kernel stamps change times with (HZ=100: 10 ms). */
const TICK_NS = 20_000_000n;
const SEAL_WAIT_MAX_MS = 1000;

export class DigestRecorder implements KnownDigests {
  private records = Buffer.alloc(0);
  private index = new Uint32Array(0);
  private count = 0;
  private latestCtimeNs = 0n;
  private sealed = false;

  get size(): number {
    return this.count;
  }

  /** Records the digest of a file the restore has just finished writing (stats taken after its last change). */
  record(stats: BigIntStats, digest: Buffer): void {
    if (this.sealed) throw new Error('digests are recorded during the restore only');
    const slot = this.find(stats.dev, stats.ino);
    let at: number;
    if (slot.record !== undefined) at = slot.record * RECORD;
    else {
      if (this.count >= MAX_RECORDS) return;
      if ((this.count + 1) * 2 > this.index.length) return this.grow(), this.record(stats, digest);
      at = this.count * RECORD;
      this.index[slot.slot] = ++this.count;
    }
    this.write(at, stats);
    digest.copy(this.records, at + DIGEST_AT);
  }

  /** After a hard link to a recorded file: its change time moved, its content did not. */
  relinked(stats: BigIntStats): void {
    const { record } = this.find(stats.dev, stats.ino);
    if (record !== undefined) this.write(record * RECORD, stats);
  }

  /** Called once the restore has written everything: waits for the clock to pass the last change time. */
  async seal(): Promise<void> {
    const deadline = performance.now() + SEAL_WAIT_MAX_MS;
    while (nowNs() < this.latestCtimeNs + TICK_NS) {
      if (performance.now() > deadline) return this.forget(); // the clock went back: trust nothing
      await sleep(Math.max(1, Number((this.latestCtimeNs + TICK_NS - nowNs()) / 1_000_000n) + 1));
    }
    this.sealed = true;
  }

  lookup(stats: BigIntStats): FileDigest | undefined {
    if (!this.sealed || this.count === 0) return undefined;
    const { record } = this.find(stats.dev, stats.ino);
    if (record === undefined) return undefined;
    const at = record * RECORD;
    const r = this.records;
    if (r.readBigUInt64LE(at + 16) !== stats.size || r.readBigUInt64LE(at + 24) !== stats.mtimeNs || r.readBigUInt64LE(at + 32) !== stats.ctimeNs) return undefined;
    return { digest: r.toString('hex', at + DIGEST_AT, at + RECORD), size: Number(stats.size) };
  }

  private forget(): void {
    this.count = 0;
    this.index = new Uint32Array(0);
    this.records = Buffer.alloc(0);
    this.sealed = true;
  }

  private write(at: number, stats: BigIntStats): void {
    const r = this.records;
    r.writeBigUInt64LE(stats.dev, at);
    r.writeBigUInt64LE(stats.ino, at + 8);
    r.writeBigUInt64LE(stats.size, at + 16);
    r.writeBigUInt64LE(stats.mtimeNs, at + 24);
    r.writeBigUInt64LE(stats.ctimeNs, at + 32);
    if (stats.ctimeNs > this.latestCtimeNs) this.latestCtimeNs = stats.ctimeNs;
  }

  /** The index slot of (dev, ino): its record when there is one, else the free slot where it goes. */
  private find(dev: bigint, ino: bigint): { slot: number; record?: number } {
    const mask = this.index.length - 1;
    if (mask < 0) return { slot: -1 };
    let slot = Math.imul(Number(BigInt.asUintN(32, ino ^ (ino >> 32n) ^ dev)), 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const held = this.index[slot]!;
      if (held === 0) return { slot };
      const at = (held - 1) * RECORD;
      if (this.records.readBigUInt64LE(at + 8) === ino && this.records.readBigUInt64LE(at) === dev) return { slot, record: held - 1 };
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const slots = Math.max(1024, this.index.length * 2);
    const records = Buffer.alloc(Math.min(slots / 2, MAX_RECORDS) * RECORD);
    this.records.copy(records);
    this.records = records;
    this.index = new Uint32Array(slots);
    for (let i = 0; i < this.count; i++) {
      const at = i * RECORD;
      this.index[this.find(records.readBigUInt64LE(at), records.readBigUInt64LE(at + 8)).slot] = i + 1;
    }
  }
}

/** lstat without following a link; undefined where it cannot be read (the pool then names why). */
function statsOf(file: string | Buffer): BigIntStats | undefined {
  try {
    return lstatSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * The digests a restore into this sandbox recorded. Held beside the sandbox (not in it): the sources
 * that hash while writing and the files check share nothing else.
 */
const bySandbox = new WeakMap<object, DigestRecorder>();

/** A fresh recorder for a restore into `sandbox` (a restore into the same sandbox again starts over). */
export function recordDigestsFor(sandbox: object): DigestRecorder {
  const recorder = new DigestRecorder();
  bySandbox.set(sandbox, recorder);
  return recorder;
}

export function knownDigestsOf(sandbox: object): KnownDigests | undefined {
  return bySandbox.get(sandbox);
}

/** The file's digest: the one recorded when it is unchanged since the restore (`reused` is told), else hashed on the pool. */
export async function knownOrHashed(known: KnownDigests | undefined, pool: HashPool, file: string | Buffer, reused: () => void): Promise<FileDigest> {
  if (known) {
    // Synchronous: a local restore folder answers in microseconds; a thread-pool round trip costs more.
    const stats = statsOf(file);
    const digest = stats?.isFile() ? known.lookup(stats) : undefined;
    if (digest) {
      reused();
      return digest;
    }
  }
  return pool.hash(file);
}

/**
 * Writes the entries of a tar into the restore folder, judging each one first. Names are bytes (paths
 * are Buffers end to end). Entries whose path lands outside the folder, and hard links to outside, are
 * refused; symbolic links are restored as links, whatever they point to, and never followed: an entry
 * whose path goes through a link the archive made is refused, and files are created O_EXCL|O_NOFOLLOW
 * (never through a link, never into an existing file). Every file's size is charged to the restore
 * budget before a byte of it is written, and its bytes are hashed as they are written (known-digests.ts).
 *
 * The file system calls are synchronous: on the local disks restores go to, each takes microseconds,
 * while an asynchronous call costs a round trip through libuv's thread pool, which made six per file
 * the bulk of the restore time. The event loop gets a turn at least every YIELD_MS.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, futimesSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, chmodSync, utimesSync, writeSync } from 'node:fs';
import { setImmediate as turn } from 'node:timers/promises';
import { BackupError, errorMessage } from '../errors.ts';
import type { DigestRecorder } from '../manifest/known-digests.ts';
import type { RestoreBudget } from '../sandboxes/restore-budget.ts';
import { HashOffload } from './hash-offload.ts';
import type { RestoreProgress } from './source.ts';
import { displayName, TarReadError, type TarEntry } from './tar-reader.ts';

const SLASH = 0x2f;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const YIELD_MS = 20;
/** Files from this size are hashed on another core while written (hash-offload.ts); smaller ones inline. */
const OFFLOAD_MIN = 1024 * 1024;
const OFFLOAD_PIECE = 1024 * 1024;

/** Why an archive's entries were refused, by kind; the caller makes the error. */
export interface Refusals {
  outside: string[];
  throughLink: string[];
}

export interface ExtractOptions {
  root: string;
  budget: RestoreBudget;
  signal: AbortSignal;
  onProgress(progress: RestoreProgress): void;
  /** Where each file's digest goes as it is written; none: files are not hashed. */
  digests?: DigestRecorder;
}

/** The path's parts, '.' and '..' resolved, or undefined when it is absolute or climbs out of the root. */
export function pathParts(name: Buffer): Buffer[] | undefined {
  if (name[0] === SLASH) return undefined;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i < name.length && name[i] !== SLASH) continue;
    const part = name.subarray(start, i);
    start = i + 1;
    if (part.length === 0 || (part.length === 1 && part[0] === 0x2e)) continue;
    if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) {
      if (parts.pop() === undefined) return undefined;
      continue;
    }
    parts.push(part);
  }
  return parts;
}

export class TarExtractor {
  readonly progress: RestoreProgress = { files: 0, bytes: 0 };
  readonly refused: Refusals = { outside: [], throughLink: [] };
  private readonly options: ExtractOptions;
  private readonly rootBytes: Buffer;
  /** Links this archive made (keys: path bytes as latin1): nothing is written through them. */
  private readonly links = new Set<string>();
  /** Folders made or seen, with the mode and time to give them once their contents are written. */
  private readonly dirs = new Map<string, { mode?: number; mtime?: number }>();
  private readonly skipped: string[] = [];
  private lastTurn = performance.now();
  private offload: HashOffload | undefined;
  /** Digests of large files still being hashed on the other core. */
  private readonly hashing: Promise<void>[] = [];

  constructor(options: ExtractOptions) {
    this.options = options;
    this.rootBytes = Buffer.from(options.root);
  }

  async extract(entries: AsyncIterable<TarEntry>): Promise<RestoreProgress> {
    try {
      for await (const entry of entries) {
        await this.turn();
        await this.entry(entry);
      }
      await Promise.all(this.hashing);
    } finally {
      await this.offload?.close();
    }
    this.finishFolders();
    if (this.skipped.length > 0) {
      this.progress.warnings = [`${this.skipped.length} entr${this.skipped.length === 1 ? 'y was' : 'ies were'} not restored (devices, FIFOs and other special files are never made in the sandbox): ${this.skipped.slice(0, 10).join(', ')}`];
    }
    return this.progress;
  }

  /** Lets timers, progress and an abort through now and then: the file system calls block. */
  private async turn(): Promise<void> {
    if (performance.now() - this.lastTurn >= YIELD_MS) {
      await turn();
      this.lastTurn = performance.now();
    }
    this.options.signal.throwIfAborted();
  }

  private async entry(entry: TarEntry): Promise<void> {
    const name = displayName(entry.path);
    const parts = pathParts(entry.path);
    if (parts === undefined) return void this.refused.outside.push(entry.type === 'symlink' || entry.type === 'hardlink' ? `${name} -> ${displayName(entry.linkpath)}` : name);
    if (parts.length === 0) return; // the root itself ("./")
    if (this.throughLink(parts)) return void this.refused.throughLink.push(name);
    try {
      switch (entry.type) {
        case 'directory':
          this.folder(parts, true);
          this.dirs.set(key(parts), { mode: entry.mode, mtime: entry.mtime });
          return;
        case 'file':
          return await this.file(parts, entry, name);
        case 'symlink':
          this.made(parts, (at) => {
            symlinkSync(entry.linkpath, at);
            lutimesSync(at, entry.mtime, entry.mtime); // the link's own time, as tar -x gives it
          });
          this.links.add(key(parts));
          return;
        case 'hardlink':
          return this.hardLink(parts, entry, name);
        case 'sparse':
          throw new BackupError('ARCHIVE_ENTRY_UNSUPPORTED', `The archive entry ${name} is a GNU sparse file, which restore-drill cannot restore faithfully yet. Recreate the archive without --sparse (-S).`);
        default:
          this.skipped.push(`${name} (type ${JSON.stringify(entry.flag)})`);
      }
    } catch (err) {
      if (err instanceof BackupError || err instanceof TarReadError || this.options.signal.aborted) throw err;
      throw new BackupError('ARCHIVE_ENTRY_UNRESTORABLE', `The archive entry ${name} could not be restored: ${errorMessage(err)}`, { cause: err });
    }
  }

  private async file(parts: Buffer[], entry: TarEntry, name: string): Promise<void> {
    this.options.budget.charge(entry.size, `the archive entry ${name}`);
    const fd = this.made(parts, (at) => openSync(at, CREATE, 0o600));
    try {
      const digests = this.options.digests;
      const offload = digests && entry.size >= OFFLOAD_MIN ? (this.offload ??= new HashOffload(OFFLOAD_PIECE)) : undefined;
      const id = offload?.start();
      const hash = digests && !offload ? createHash('sha256') : undefined;
      for await (const piece of entry.body()) {
        if (offload) await offload.update(id!, piece);
        else hash?.update(piece);
        writeAll(fd, piece);
        await this.turn();
      }
      fchmodSync(fd, entry.mode & 0o777);
      futimesSync(fd, entry.mtime, entry.mtime);
      if (digests) {
        const stats = fstatSync(fd, { bigint: true });
        if (hash) digests.record(stats, hash.digest());
        else this.hashed(offload!.end(id!).then((digest) => digests.record(stats, digest)));
      }
    } finally {
      closeSync(fd);
    }
    this.progress.files++;
    this.progress.bytes += entry.size;
    this.options.onProgress(this.progress);
  }

  private hashed(digest: Promise<void>): void {
    digest.catch(() => undefined); // awaited in extract; an aborted extraction leaves it unread
    this.hashing.push(digest);
  }

  private hardLink(parts: Buffer[], entry: TarEntry, name: string): void {
    const target = pathParts(entry.linkpath);
    if (target === undefined || target.length === 0) return void this.refused.outside.push(`${name} -> ${displayName(entry.linkpath)}`);
    if (this.throughLink(target)) return void this.refused.throughLink.push(`${name} -> ${displayName(entry.linkpath)}`);
    const at = this.full(parts);
    this.made(parts, () => linkSync(this.full(target), at));
    // The link moved the file's change time: its digest still holds.
    if (this.options.digests) this.options.digests.relinked(lstatSync(at, { bigint: true }));
    this.progress.files++;
  }

  /** True when a folder on the path (not its last part) is a link this archive made. */
  private throughLink(parts: Buffer[]): boolean {
    if (this.links.size === 0) return false;
    for (let i = 1; i < parts.length; i++) if (this.links.has(key(parts.slice(0, i)))) return true;
    return false;
  }

  /**
   * Makes the entry's folders, then the entry with `make`, which fails with EEXIST when an earlier
   * entry of the same path is there: that one is removed and `make` tried once more (tar: the last wins).
   */
  private made<T>(parts: Buffer[], make: (at: Buffer) => T): T {
    this.folder(parts.slice(0, -1), false);
    const at = this.full(parts);
    try {
      return make(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    rmSync(at, { recursive: true, force: true });
    this.links.delete(key(parts));
    this.dirs.delete(key(parts));
    return make(at);
  }

  /** Makes each missing folder of the path; a file or link where a folder must be is replaced. */
  private folder(parts: Buffer[], last: boolean): void {
    if (parts.length === 0 || (!last && this.dirs.has(key(parts)))) return;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i);
      const k = key(prefix);
      if (this.dirs.has(k)) continue;
      const at = this.full(prefix);
      try {
        mkdirSync(at, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!lstatSync(at).isDirectory()) {
          if (!last || i < parts.length) throw err; // only the entry's own path may replace a file
          rmSync(at, { force: true });
          this.links.delete(k);
          mkdirSync(at, { mode: 0o700 });
        }
      }
      this.dirs.set(k, {});
    }
  }

  /** Folders get their modes and times last, deepest first, so that a read-only folder is still filled. */
  private finishFolders(): void {
    const folders = [...this.dirs.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [k, { mode, mtime }] of folders) {
      const at = Buffer.concat([this.rootBytes, Buffer.from('/'), Buffer.from(k, 'latin1')]);
      chmodSync(at, mode === undefined ? 0o755 : mode & 0o777);
      if (mtime !== undefined) utimesSync(at, mtime, mtime);
    }
  }

  private full(parts: Buffer[]): Buffer {
    return Buffer.concat([this.rootBytes, Buffer.from('/'), joined(parts)]);
  }
}

/** Writes all of `data` (a write may take less than asked). */
function writeAll(fd: number, data: Buffer): void {
  let at = 0;
  while (at < data.length) at += writeSync(fd, data, at, data.length - at);
}

function joined(parts: Buffer[]): Buffer {
  const pieces: Buffer[] = [];
  parts.forEach((part, i) => pieces.push(...(i === 0 ? [part] : [Buffer.from('/'), part])));
  return Buffer.concat(pieces);
}

function key(parts: Buffer[]): string {
  return joined(parts).toString('latin1');
}

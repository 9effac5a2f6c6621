/**
 * Walks a tree in the order a bytewise sort of the relative paths gives ("a-b" before "a/b"), without
 * holding more than one folder's listing per level: what lets manifests be compared as sorted streams.
 * Entries come in runs (arrays) so that millions of files do not cost an await each. Links are never
 * followed (a folder link is an entry, not a folder); names are bytes (see names.ts).
 */
import { readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { displayBytes, type PathKey } from './names.ts';
import { kindOf, type EntryKind } from './safe-open.ts';

export { comparePaths, comparePathKeys } from './names.ts';

export interface TreeEntry extends PathKey {
  /** Path relative to the root, with "/" separators (for display when `bytes` is set). */
  relative: string;
  /** Raw bytes when the path is not UTF-8 (then also `bytes`). */
  absolute: string | Buffer;
  type: 'file' | 'symlink' | Exclude<EntryKind, 'file' | 'symlink' | 'directory'>;
}

export interface WalkOptions {
  /** Yield symbolic links too (default: regular files only). */
  symlinks?: boolean;
  /** Yield FIFOs, sockets and devices too (a check names them; nothing reads them). */
  special?: boolean;
  signal?: AbortSignal;
}

/** A folder or path on the walk: strings while every name is UTF-8, bytes from the first that is not. */
type Where = { absolute: string; relative: string; bytes?: undefined } | { absolute: Buffer; relative: string; bytes: Buffer };

interface Listed {
  name: string | Buffer;
  key: Buffer;
  kind: EntryKind;
}

/** Runs of entries in sorted order. */
export async function* walkSortedRuns(root: string, options: WalkOptions = {}): AsyncGenerator<TreeEntry[]> {
  yield* walkFolder({ absolute: root, relative: '' }, options);
}

export async function* walkSorted(root: string, options: WalkOptions = {}): AsyncGenerator<TreeEntry> {
  for await (const run of walkSortedRuns(root, options)) yield* run;
}

async function* walkFolder(folder: Where, options: WalkOptions): AsyncGenerator<TreeEntry[]> {
  options.signal?.throwIfAborted();
  const listed = await list(folder.absolute);
  listed.sort((a, b) => Buffer.compare(a.key, b.key));
  let run: TreeEntry[] = [];
  for (const entry of listed) {
    const child = childOf(folder, entry.name);
    if (entry.kind === 'directory') {
      if (run.length > 0) yield run;
      run = [];
      yield* walkFolder(child, options);
    } else if (entry.kind === 'file' || (entry.kind === 'symlink' ? options.symlinks : options.special)) {
      run.push({ ...child, type: entry.kind as TreeEntry['type'] });
    }
  }
  if (run.length > 0) yield run;
}

/**
 * A folder's entries, with their kinds as the folder records them (never following a link). Listed as
 * strings; only a folder with a name that is not UTF-8 (it shows as U+FFFD) is listed again as bytes.
 */
async function list(absolute: string | Buffer): Promise<Listed[]> {
  // A folder's children all start with "name/", so the folder sorts as "name/".
  const keyOf = (name: string | Buffer, kind: EntryKind) => (kind === 'directory' ? Buffer.concat([Buffer.from(name), SLASH]) : Buffer.from(name));
  if (typeof absolute === 'string') {
    const named = await readdir(absolute, { withFileTypes: true });
    if (!named.some((d) => d.name.includes('\uFFFD'))) return named.map((d) => listedOf(d.name, kindOf(d), keyOf));
  }
  const raw: Dirent<Buffer>[] = await readdir(absolute, { withFileTypes: true, encoding: 'buffer' });
  return raw.map((d) => listedOf(isUtf8(d.name) ? d.name.toString('utf8') : d.name, kindOf(d), keyOf));
}

function listedOf(name: string | Buffer, kind: EntryKind, keyOf: (name: string | Buffer, kind: EntryKind) => Buffer): Listed {
  return { name, key: keyOf(name, kind), kind };
}

const SLASH = Buffer.from('/');

function childOf(folder: Where, name: string | Buffer): Where {
  if (typeof name === 'string' && folder.bytes === undefined) {
    return { absolute: path.join(folder.absolute, name), relative: folder.relative ? `${folder.relative}/${name}` : name };
  }
  const nameBytes = Buffer.from(name);
  const parentBytes = folder.bytes ?? Buffer.from(folder.relative);
  const bytes = folder.relative ? Buffer.concat([parentBytes, SLASH, nameBytes]) : nameBytes;
  const absolute = Buffer.concat([Buffer.from(folder.absolute), SLASH, nameBytes]);
  return { absolute, relative: displayBytes(bytes), bytes };
}

/** Reads a stream of runs one item at a time, awaiting only when a run is used up. */
export class RunCursor<T> {
  private readonly source: AsyncIterator<T[]>;
  private run: T[] = [];
  private index = 0;
  private done = false;

  constructor(source: AsyncIterable<T[]>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** The current item, or undefined at the end. */
  async current(): Promise<T | undefined> {
    while (this.index >= this.run.length && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.run = next.value;
        this.index = 0;
      }
    }
    return this.run[this.index];
  }

  advance(): void {
    this.index++;
  }
}

/**
 * Walks a tree in the order a bytewise sort of the relative paths gives ("a-b" before "a/b"), without
 * holding more than one folder's listing per level: what lets manifests be compared as sorted streams.
 * Entries come in runs (arrays) so that millions of files do not cost an await each.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface TreeEntry {
  /** Path relative to the root, with "/" separators. */
  relative: string;
  absolute: string;
  type: 'file' | 'symlink';
}

export interface WalkOptions {
  /** Yield symbolic links too (default: regular files only). */
  symlinks?: boolean;
  signal?: AbortSignal;
}

interface Listed {
  name: string;
  key: Buffer;
  kind: 'dir' | 'file' | 'symlink' | 'other';
}

/** Runs of entries in sorted order. */
export async function* walkSortedRuns(root: string, options: WalkOptions = {}): AsyncGenerator<TreeEntry[]> {
  yield* walkFolder(root, '', options);
}

export async function* walkSorted(root: string, options: WalkOptions = {}): AsyncGenerator<TreeEntry> {
  for await (const run of walkSortedRuns(root, options)) yield* run;
}

async function* walkFolder(absolute: string, relative: string, options: WalkOptions): AsyncGenerator<TreeEntry[]> {
  options.signal?.throwIfAborted();
  const listed = (await readdir(absolute, { withFileTypes: true })).map((d): Listed => {
    const kind = d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other';
    // A folder's children all start with "name/", so the folder sorts as "name/".
    return { name: d.name, key: Buffer.from(kind === 'dir' ? `${d.name}/` : d.name), kind };
  });
  listed.sort((a, b) => Buffer.compare(a.key, b.key));
  let run: TreeEntry[] = [];
  for (const entry of listed) {
    const childAbsolute = path.join(absolute, entry.name);
    const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.kind === 'dir') {
      if (run.length > 0) yield run;
      run = [];
      yield* walkFolder(childAbsolute, childRelative, options);
    } else if (entry.kind === 'file' || (entry.kind === 'symlink' && options.symlinks)) {
      run.push({ relative: childRelative, absolute: childAbsolute, type: entry.kind });
    }
  }
  if (run.length > 0) yield run;
}

const OUTSIDE_UTF16_ORDER = /[\uD800-\uFFFF]/;

/** Bytewise (UTF-8) comparison of two relative paths, the order manifests are kept in. */
export function comparePaths(a: string, b: string): number {
  // JavaScript compares UTF-16 code units, which agrees with UTF-8 byte order below U+D800.
  if (!OUTSIDE_UTF16_ORDER.test(a) && !OUTSIDE_UTF16_ORDER.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
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

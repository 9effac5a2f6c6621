/**
 * Walks a tree in the order a bytewise sort of the relative paths gives ("a-b" before "a/b"), without
 * holding more than one folder's listing per level: what lets manifests be compared as sorted streams.
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

export async function* walkSorted(root: string, options: WalkOptions = {}): AsyncGenerator<TreeEntry> {
  yield* walkFolder(root, '', options);
}

async function* walkFolder(absolute: string, relative: string, options: WalkOptions): AsyncGenerator<TreeEntry> {
  options.signal?.throwIfAborted();
  const listed = (await readdir(absolute, { withFileTypes: true })).map((d): Listed => {
    const kind = d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other';
    // A folder's children all start with "name/", so the folder sorts as "name/".
    return { name: d.name, key: Buffer.from(kind === 'dir' ? `${d.name}/` : d.name), kind };
  });
  listed.sort((a, b) => Buffer.compare(a.key, b.key));
  for (const entry of listed) {
    const childAbsolute = path.join(absolute, entry.name);
    const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.kind === 'dir') yield* walkFolder(childAbsolute, childRelative, options);
    else if (entry.kind === 'file') yield { relative: childRelative, absolute: childAbsolute, type: 'file' };
    else if (entry.kind === 'symlink' && options.symlinks) yield { relative: childRelative, absolute: childAbsolute, type: 'symlink' };
  }
}

/** Bytewise comparison of two relative paths, the order manifests are kept in. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The coreutils sha256sum format: "<hex>  <path>" ("<hex> *<path>" in binary mode). A name holding a
 * backslash or a newline is escaped and its line starts with "\", as sha256sum writes it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { BackupError } from '../errors.ts';
import { comparePaths } from './walk.ts';

export interface ManifestEntry {
  relative: string;
  digest: string;
  /** Line number in the manifest file, for messages. */
  line: number;
}

const LINE_RE = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/;

export function formatManifestLine(digest: string, relative: string): string {
  if (!/[\\\n\r]/.test(relative)) return `${digest}  ${relative}\n`;
  const escaped = relative.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${digest}  ${escaped}\n`;
}

export function parseManifestLine(text: string, line: number, file: string): ManifestEntry {
  const match = LINE_RE.exec(text);
  if (!match) {
    throw new BackupError('MANIFEST_INVALID', `${file}:${line}: expected "<sha256 hex>  <path>" as sha256sum writes it, got '${text.slice(0, 80)}'`);
  }
  const [, escapedMark, digest, rawPath] = match;
  const relative = escapedMark ? unescapeName(rawPath!) : rawPath!;
  return { relative: relative.replace(/^\.\//, ''), digest: digest!.toLowerCase(), line };
}

function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Streams the entries of a manifest file in file order. */
export async function* readManifestLines(file: string, displayName = file): AsyncGenerator<ManifestEntry> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '' || text.startsWith('#')) continue;
    yield parseManifestLine(text, line, displayName);
  }
}

/**
 * Streams the entries sorted bytewise. A sorted manifest (what `restore-drill manifest` writes) streams
 * in constant memory; an unsorted one (a hand-made `find | xargs sha256sum`) is sorted in memory.
 */
export async function* readManifestSorted(file: string, displayName = file): AsyncGenerator<ManifestEntry> {
  if (await isSorted(file, displayName)) {
    yield* readManifestLines(file, displayName);
    return;
  }
  const all: ManifestEntry[] = [];
  for await (const entry of readManifestLines(file, displayName)) all.push(entry);
  all.sort((a, b) => comparePaths(a.relative, b.relative));
  yield* all;
}

async function isSorted(file: string, displayName: string): Promise<boolean> {
  let previous: ManifestEntry | undefined;
  for await (const entry of readManifestLines(file, displayName)) {
    if (previous) {
      const order = comparePaths(previous.relative, entry.relative);
      if (order === 0) {
        throw new BackupError('MANIFEST_DUPLICATE', `${displayName}:${entry.line}: ${entry.relative} is listed twice (first at line ${previous.line}).`);
      }
      if (order > 0) return false;
    }
    previous = entry;
  }
  return true;
}

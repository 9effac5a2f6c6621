/**
 * The coreutils sha256sum format: "<hex>  <path>" ("<hex> *<path>" in binary mode). A name holding a
 * backslash or a newline is escaped and its line starts with "\", as sha256sum writes it.
 */
import { createReadStream } from 'node:fs';
import { BackupError, InputError } from '../errors.ts';
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
    throw new InputError('MANIFEST_INVALID', `${file}:${line}: expected "<sha256 hex>  <path>" as sha256sum writes it, got '${text.slice(0, 80)}'`);
  }
  const [, escapedMark, digest, rawPath] = match;
  const relative = escapedMark ? unescapeName(rawPath!) : rawPath!;
  return { relative: relative.replace(/^\.\//, ''), digest: digest!.toLowerCase(), line };
}

function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Streams the entries of a manifest file in file order, in runs (one per chunk read). */
export async function* readManifestRuns(file: string, displayName = file): AsyncGenerator<ManifestEntry[]> {
  let line = 0;
  let partial = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    const lines = (partial + (chunk as string)).split('\n');
    partial = lines.pop()!;
    const run: ManifestEntry[] = [];
    for (const text of lines) {
      line++;
      const entry = parseLine(text, line, displayName);
      if (entry) run.push(entry);
    }
    if (run.length > 0) yield run;
  }
  const last = partial ? parseLine(partial, line + 1, displayName) : undefined;
  if (last) yield [last];
}

export async function* readManifestLines(file: string, displayName = file): AsyncGenerator<ManifestEntry> {
  for await (const run of readManifestRuns(file, displayName)) yield* run;
}

function parseLine(raw: string, line: number, displayName: string): ManifestEntry | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '' || text.startsWith('#')) return undefined;
  return parseManifestLine(text, line, displayName);
}

/**
 * Streams the entries sorted bytewise. A sorted manifest (what `restore-drill manifest` writes) streams
 * in constant memory; an unsorted one (a hand-made `find | xargs sha256sum`) is sorted in memory.
 */
export async function* readManifestSortedRuns(file: string, displayName = file): AsyncGenerator<ManifestEntry[]> {
  if (await isSorted(file, displayName)) {
    yield* readManifestRuns(file, displayName);
    return;
  }
  const all: ManifestEntry[] = [];
  for await (const run of readManifestRuns(file, displayName)) all.push(...run);
  all.sort((a, b) => comparePaths(a.relative, b.relative));
  for (let i = 1; i < all.length; i++) {
    if (all[i - 1]!.relative === all[i]!.relative) throw duplicate(displayName, all[i]!, all[i - 1]!);
  }
  yield all;
}

export async function* readManifestSorted(file: string, displayName = file): AsyncGenerator<ManifestEntry> {
  for await (const run of readManifestSortedRuns(file, displayName)) yield* run;
}

function duplicate(displayName: string, entry: ManifestEntry, first: ManifestEntry): BackupError {
  return new InputError('MANIFEST_DUPLICATE', `${displayName}:${entry.line}: ${entry.relative} is listed twice (first at line ${first.line}).`);
}

async function isSorted(file: string, displayName: string): Promise<boolean> {
  let previous: ManifestEntry | undefined;
  for await (const run of readManifestRuns(file, displayName)) {
    for (const entry of run) {
      if (previous) {
        const order = comparePaths(previous.relative, entry.relative);
        if (order === 0) throw duplicate(displayName, entry, previous);
        if (order > 0) return false;
      }
      previous = entry;
    }
  }
  return true;
}

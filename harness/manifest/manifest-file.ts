/**
 * The coreutils sha256sum format: "<hex>  <path>" ("<hex> *<path>" in binary mode). A name holding a
 * backslash, a newline or a carriage return is escaped and its line starts with "\\", as sha256sum
 * writes it; names are raw bytes otherwise (a name that is not UTF-8 is written and read as its bytes).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { comparePathKeys, displayBytes, pathKeyOf, type PathKey } from './names.ts';

export interface ManifestEntry extends PathKey {
  relative: string;
  digest: string;
  /** Line number in the manifest file, for messages. */
  line: number;
}

const LINE_RE = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/;

/** A manifest line: a string, or bytes when the path is not UTF-8 (`bytes` given). */
export function formatManifestLine(digest: string, relative: string, bytes?: Buffer): string | Buffer {
  if (bytes) {
    const name = bytes.toString('latin1'); // one character a byte: escaped as text, written back as bytes
    return Buffer.from(formatManifestLine(digest, name) as string, 'latin1');
  }
  if (!/[\\\n\r]/.test(relative)) return `${digest}  ${relative}\n`;
  const escaped = relative.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${digest}  ${escaped}\n`;
}

/**
 * Parses a line. `binary`: the line was decoded as latin1 (one character a byte) because it is not
 * UTF-8; its path is turned back into bytes.
 */
export function parseManifestLine(text: string, line: number, file: string, binary = false): ManifestEntry {
  const match = LINE_RE.exec(text);
  if (!match) {
    const shown = binary ? displayBytes(Buffer.from(text.slice(0, 80), 'latin1')) : text.slice(0, 80);
    throw new InputError('MANIFEST_INVALID', `${file}:${line}: expected "<sha256 hex>  <path>" as sha256sum writes it, got '${shown}'`);
  }
  const [, escapedMark, digest, rawPath] = match;
  const relative = (escapedMark ? unescapeName(rawPath!) : rawPath!).replace(/^\.\//, '');
  const key = binary ? pathKeyOf(Buffer.from(relative, 'latin1')) : { relative };
  return { ...key, digest: digest!.toLowerCase(), line };
}

function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/**
 * Streams the entries of a manifest file in file order, in runs (one per chunk read). Read as bytes:
 * whole lines are decoded as UTF-8, and only lines that are not UTF-8 are parsed as bytes.
 */
export async function* readManifestRuns(file: string, displayName = file): AsyncGenerator<ManifestEntry[]> {
  let line = 0;
  let partial: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    const data = partial.length > 0 ? Buffer.concat([partial, chunk as Buffer]) : (chunk as Buffer);
    const end = data.lastIndexOf(NEWLINE);
    if (end < 0) {
      partial = data;
      continue;
    }
    partial = Buffer.from(data.subarray(end + 1));
    const run: ManifestEntry[] = [];
    for (const [text, binary] of linesOf(data.subarray(0, end))) {
      line++;
      const entry = parseLine(text, line, displayName, binary);
      if (entry) run.push(entry);
    }
    if (run.length > 0) yield run;
  }
  if (partial.length > 0) {
    const [[text, binary]] = [...linesOf(partial)] as [[string, boolean]];
    const last = parseLine(text, line + 1, displayName, binary);
    if (last) yield [last];
  }
}

const NEWLINE = 0x0a;

/** The lines of a block of whole lines, each as text and whether it had to be decoded as bytes. */
function* linesOf(block: Buffer): Generator<[string, boolean]> {
  const text = block.toString('utf8');
  if (!text.includes('\uFFFD')) {
    for (const each of text.split('\n')) yield [each, false];
    return;
  }
  for (let start = 0; start <= block.length; ) {
    let end = block.indexOf(NEWLINE, start);
    if (end < 0) end = block.length;
    const bytes = block.subarray(start, end);
    const decoded = bytes.toString('utf8');
    yield decoded.includes('\uFFFD') ? [bytes.toString('latin1'), true] : [decoded, false];
    start = end + 1;
  }
}

export async function* readManifestLines(file: string, displayName = file): AsyncGenerator<ManifestEntry> {
  for await (const run of readManifestRuns(file, displayName)) yield* run;
}

function parseLine(raw: string, line: number, displayName: string, binary: boolean): ManifestEntry | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (text.trim() === '' || text.startsWith('#')) return undefined;
  return parseManifestLine(text, line, displayName, binary);
}

/** Entries of a piped manifest held back before any is given out: disorder within them is sorted in memory. */
export const MANIFEST_LOOKAHEAD = 16_384;

/**
 * Streams the entries sorted bytewise. A sorted manifest (what `restore-drill manifest` writes) streams
 * in constant memory; an unsorted one (a hand-made `find | xargs sha256sum`, or one sorted by a
 * locale's collation) is sorted in memory. A manifest file is read twice for that (its order checked
 * first, which holds nothing); one through a pipe (`verify DIR <(ssh host cat nightly.sha256)`) cannot
 * be, so it is read once, its first MANIFEST_LOOKAHEAD entries held back until its order is seen.
 */
export async function* readManifestSortedRuns(file: string, displayName = file, options: { lookahead?: number } = {}): AsyncGenerator<ManifestEntry[]> {
  if (!(await stat(file)).isFile()) {
    yield* readPipedSortedRuns(file, displayName, options.lookahead ?? MANIFEST_LOOKAHEAD);
    return;
  }
  if (await isSorted(file, displayName)) {
    yield* readManifestRuns(file, displayName);
    return;
  }
  yield await sortedInMemory([], readManifestRuns(file, displayName), displayName);
}

/** Whether a manifest file is sorted bytewise; a name listed twice in a row is refused. */
async function isSorted(file: string, displayName: string): Promise<boolean> {
  let previous: ManifestEntry | undefined;
  for await (const run of readManifestRuns(file, displayName)) {
    if (firstDisorder(previous, run, displayName) >= 0) return false;
    previous = run.at(-1);
  }
  return true;
}

/**
 * A piped manifest, read once: order and duplicates checked on the way; disorder after the look-ahead
 * is refused (MANIFEST_UNSORTED), since the entries before it were used.
 */
async function* readPipedSortedRuns(file: string, displayName: string, lookahead: number): AsyncGenerator<ManifestEntry[]> {
  const runs = readManifestRuns(file, displayName);
  let held: ManifestEntry[][] | undefined = [];
  let heldEntries = 0;
  let previous: ManifestEntry | undefined;
  for (let next = await runs.next(); !next.done; next = await runs.next()) {
    const run = next.value;
    const disorder = firstDisorder(previous, run, displayName);
    if (disorder >= 0) {
      if (!held) throw unsorted(displayName, run[disorder]!, disorder === 0 ? previous! : run[disorder - 1]!, lookahead);
      yield await sortedInMemory([...held, run], runs, displayName);
      return;
    }
    previous = run.at(-1);
    if (!held) {
      yield run;
      continue;
    }
    held.push(run);
    heldEntries += run.length;
    if (heldEntries >= lookahead) {
      yield* held;
      held = undefined;
    }
  }
  if (held) yield* held;
}

/** Where in `run` the order breaks (-1: nowhere); a name listed twice in a row is refused. */
function firstDisorder(previous: ManifestEntry | undefined, run: ManifestEntry[], displayName: string): number {
  for (let i = 0; i < run.length; i++) {
    const before = i === 0 ? previous : run[i - 1];
    if (!before) continue;
    const order = comparePathKeys(before, run[i]!);
    if (order === 0) throw duplicate(displayName, run[i]!, before);
    if (order > 0) return i;
  }
  return -1;
}

/** The runs read so far and the rest of the file, sorted in memory, names listed twice refused. */
async function sortedInMemory(read: ManifestEntry[][], rest: AsyncGenerator<ManifestEntry[]>, displayName: string): Promise<ManifestEntry[]> {
  const all = read.flat();
  for await (const run of { [Symbol.asyncIterator]: () => rest }) all.push(...run);
  all.sort(comparePathKeys);
  for (let i = 1; i < all.length; i++) {
    if (comparePathKeys(all[i - 1]!, all[i]!) === 0) throw duplicate(displayName, all[i]!, all[i - 1]!);
  }
  return all;
}

export async function* readManifestSorted(file: string, displayName = file): AsyncGenerator<ManifestEntry> {
  for await (const run of readManifestSortedRuns(file, displayName)) yield* run;
}

function unsorted(displayName: string, entry: ManifestEntry, before: ManifestEntry, lookahead: number): InputError {
  return new InputError(
    'MANIFEST_UNSORTED',
    `${displayName}:${entry.line}: ${entry.relative} comes after ${before.relative}: the manifest came through a pipe and is sorted up to here, past the first ${lookahead} entries, which are all that is held back to sort. Save it to a file first, sort it by path, bytewise (LC_ALL=C sort -k 2 FILE), or write it with "restore-drill manifest".`,
  );
}

function duplicate(displayName: string, entry: ManifestEntry, first: ManifestEntry): InputError {
  return new InputError('MANIFEST_DUPLICATE', `${displayName}:${entry.line}: ${entry.relative} is listed twice (first at line ${first.line}).`);
}

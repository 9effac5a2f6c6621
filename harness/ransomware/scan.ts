/**
 * Scans a restored tree for ransomware indicators: every name against the indicators file, and a
 * bounded, deterministic sample of the files of each known type against what the type requires.
 * Which files are sampled does not depend on walk order: per type, the files whose path hashes lowest.
 */
import { createHash } from 'node:crypto';
import { walkSorted } from '../manifest/walk.ts';
import { CONTENT_RULES, type ContentSettings, type Evidence } from './content-rules.ts';
import { appendedExtension, typeOfName, type FileType } from './file-types.ts';
import type { Indicators } from './indicators.ts';
import { sampleFile, type SamplePlan } from './sample.ts';
import { FindingGroups } from './findings.ts';

export interface ScanSettings extends ContentSettings, SamplePlan {
  /** Files sampled per type at most (the rest are judged by name only). */
  maxFilesPerType: number;
}

export const DEFAULT_SCAN_SETTINGS: ScanSettings = {
  blockSize: 4096,
  blocksPerFile: 4,
  maxFilesPerType: 2000,
  entropyThreshold: 7.5,
  maxControlShare: 0.03,
};

export interface TypeStats {
  seen: number;
  sampled: number;
  bytesRead: number;
}

export interface ScanStats {
  filesSeen: number;
  filesSampled: number;
  bytesRead: number;
  /** Files whose type is not known: judged by name (and change) only. */
  unknownType: number;
  emptyFiles: number;
  unreadable: number;
  byType: Record<string, TypeStats>;
}

export interface ScanOptions {
  root: string;
  settings: ScanSettings;
  indicators: Indicators;
  groups: FindingGroups;
  signal?: AbortSignal;
  onProgress?(progress: { files: number; bytes: number }): void;
}

interface Candidate {
  key: string;
  relative: string;
  absolute: string | Buffer;
}

export async function scanTree(options: ScanOptions): Promise<ScanStats> {
  const stats: ScanStats = { filesSeen: 0, filesSampled: 0, bytesRead: 0, unknownType: 0, emptyFiles: 0, unreadable: 0, byType: {} };
  const chosen = new Map<FileType, BoundedPick>();
  const renames = new AppendedExtensions(options.groups.filesNamed);
  const offer = (type: FileType, candidate: Candidate) => {
    const typeStats = (stats.byType[type.name] ??= { seen: 0, sampled: 0, bytesRead: 0 });
    typeStats.seen++;
    let pick = chosen.get(type);
    if (!pick) chosen.set(type, (pick = new BoundedPick(options.settings.maxFilesPerType)));
    pick.offer(candidate);
  };
  for await (const entry of walkSorted(options.root, { signal: options.signal })) {
    stats.filesSeen++;
    const named = options.indicators.match(entry.relative);
    if (named) {
      options.groups.add(named.rule, named.family, entry.relative, {
        expected: `no name of a known ransomware ${named.rule === 'ransom-note' ? 'note' : 'extension'}`,
        indicator: named.indicator,
        indicatorsFile: named.file,
      });
    }
    const type = typeOfName(entry.relative);
    if (!type) {
      stats.unknownType++;
      const appended = appendedExtension(entry.relative);
      if (appended) renames.note(appended.outer, appended.inner, { key: keyOf(entry.relative), relative: entry.relative, absolute: entry.absolute });
      continue;
    }
    offer(type, { key: keyOf(entry.relative), relative: entry.relative, absolute: entry.absolute });
  }
  // Files renamed en masse are judged by the type they had, too: their content says whether they were encrypted.
  for (const [type, candidate] of renames.report(options.groups)) offer(type, candidate);
  for (const [type, pick] of chosen) {
    for (const candidate of pick.sorted()) {
      options.signal?.throwIfAborted();
      await judgeFile(type, candidate, options, stats);
      options.onProgress?.({ files: stats.filesSampled, bytes: stats.bytesRead });
    }
  }
  return stats;
}

async function judgeFile(type: FileType, file: Candidate, options: ScanOptions, stats: ScanStats): Promise<void> {
  let sample;
  try {
    sample = await sampleFile(file.absolute, options.settings);
  } catch {
    stats.unreadable++;
    return;
  }
  const typeStats = stats.byType[type.name]!;
  stats.filesSampled++;
  stats.bytesRead += sample.bytesRead;
  typeStats.sampled++;
  typeStats.bytesRead += sample.bytesRead;
  if (sample.size === 0) {
    stats.emptyFiles++;
    return;
  }
  for (const rule of CONTENT_RULES) {
    const evidence: Evidence | undefined = rule.judge(type, sample, options.settings);
    if (evidence) {
      options.groups.add(rule.id, type.name, file.relative, { ...evidence });
      return;
    }
  }
}

/** At least this many files of at least two types must share an appended extension to be a finding. */
export const MASS_RENAME_FILES = 10;
const TRACKED_EXTENSIONS = 10_000;

/** Renamed files kept for judging their content, at most (names are counted beyond it). */
const RENAMED_JUDGED = 20_000;

function keyOf(relative: string): string {
  return createHash('sha1').update(relative).digest('hex');
}

/** Files named "<known type>.<same unknown extension>", per extension, in bounded memory. */
class AppendedExtensions {
  private readonly byOuter = new Map<string, { count: number; types: Set<string>; files: string[]; candidates: [FileType, Candidate][] }>();
  private readonly filesNamed: number;
  private kept = 0;
  constructor(filesNamed: number) {
    this.filesNamed = filesNamed;
  }
  note(outer: string, inner: FileType, candidate: Candidate): void {
    let found = this.byOuter.get(outer);
    if (!found) {
      if (this.byOuter.size >= TRACKED_EXTENSIONS) return;
      this.byOuter.set(outer, (found = { count: 0, types: new Set(), files: [], candidates: [] }));
    }
    found.count++;
    found.types.add(inner.name);
    if (found.files.length < this.filesNamed) found.files.push(candidate.relative);
    if (this.kept < RENAMED_JUDGED) {
      found.candidates.push([inner, candidate]);
      this.kept++;
    }
  }
  /** Adds a finding per mass-renaming extension; returns the renamed files to judge by their old type. */
  report(groups: FindingGroups): [FileType, Candidate][] {
    const judged: [FileType, Candidate][] = [];
    for (const [outer, found] of this.byOuter) {
      if (found.count < MASS_RENAME_FILES || found.types.size < 2) continue;
      const types = [...found.types].sort().join(', ');
      groups.addCounted('appended-extension', outer, found.count, found.files.map((path) => ({ path, expected: `no extension appended to ${types} files`, appendedExtension: outer, types })));
      judged.push(...found.candidates);
    }
    return judged;
  }
}

/** Keeps the n candidates with the lowest keys: a deterministic, spread-out choice in bounded memory. */
class BoundedPick {
  private readonly limit: number;
  private readonly heap: Candidate[] = [];
  constructor(limit: number) {
    this.limit = limit;
  }
  offer(candidate: Candidate): void {
    if (this.heap.length < this.limit) {
      this.heap.push(candidate);
      this.up(this.heap.length - 1);
    } else if (this.limit > 0 && candidate.key < this.heap[0]!.key) {
      this.heap[0] = candidate;
      this.down(0);
    }
  }
  /** In path order, so reading follows the tree. */
  sorted(): Candidate[] {
    return [...this.heap].sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  }
  // A max-heap on key: the root is the candidate to drop first.
  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heap[parent]!.key >= this.heap[i]!.key) return;
      [this.heap[parent], this.heap[i]] = [this.heap[i]!, this.heap[parent]!];
      i = parent;
    }
  }
  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < this.heap.length && this.heap[l]!.key > this.heap[top]!.key) top = l;
      if (r < this.heap.length && this.heap[r]!.key > this.heap[top]!.key) top = r;
      if (top === i) return;
      [this.heap[top], this.heap[i]] = [this.heap[i]!, this.heap[top]!];
      i = top;
    }
  }
}


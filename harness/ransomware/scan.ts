/**
 * Scans a restored tree for ransomware indicators: every name against the indicators file, and a
 * bounded, deterministic sample of the files of each known type against what the type requires.
 * Which files are sampled does not depend on walk order: per type, the files whose path hashes lowest.
 */
import { createHash } from 'node:crypto';
import { walkSorted } from '../manifest/walk.ts';
import { CONTENT_RULES, type ContentSettings, type Evidence } from './content-rules.ts';
import { typeOfName, type FileType } from './file-types.ts';
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
  absolute: string;
}

export async function scanTree(options: ScanOptions): Promise<ScanStats> {
  const stats: ScanStats = { filesSeen: 0, filesSampled: 0, bytesRead: 0, unknownType: 0, emptyFiles: 0, unreadable: 0, byType: {} };
  const chosen = new Map<FileType, BoundedPick>();
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
      continue;
    }
    const typeStats = (stats.byType[type.name] ??= { seen: 0, sampled: 0, bytesRead: 0 });
    typeStats.seen++;
    let pick = chosen.get(type);
    if (!pick) chosen.set(type, (pick = new BoundedPick(options.settings.maxFilesPerType)));
    pick.offer({ key: createHash('sha1').update(entry.relative).digest('hex'), relative: entry.relative, absolute: entry.absolute });
  }
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


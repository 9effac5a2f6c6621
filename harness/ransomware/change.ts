/**
 * Change between two restore points, from their manifests (sorted sha256sum files) merged as two
 * streams: files added, removed, modified, and renamed (a removed file that comes back under another
 * name with the same content, or under its old name plus an extension, as ransomware renames them).
 */
import { readManifestSorted, type ManifestEntry } from '../manifest/manifest-file.ts';
import { comparePathKeys } from '../manifest/names.ts';

export interface ChangeCounts {
  previousFiles: number;
  currentFiles: number;
  added: number;
  removed: number;
  modified: number;
  renamed: number;
}

export interface ChangeSummary extends ChangeCounts {
  /** (added + removed + modified + renamed) / files in the previous point. */
  rate: number;
  /** A few paths of each kind, for the finding. */
  samples: { added: string[]; removed: string[]; modified: string[]; renamed: string[] };
}

const SAMPLE = 10;
/** Past this many added or removed files, renames are no longer paired (memory stays bounded). */
const RENAME_TRACKING_LIMIT = 200_000;

export async function compareManifests(previousFile: string, currentFile: string, signal?: AbortSignal): Promise<ChangeSummary> {
  const counts: ChangeCounts = { previousFiles: 0, currentFiles: 0, added: 0, removed: 0, modified: 0, renamed: 0 };
  const samples: ChangeSummary['samples'] = { added: [], removed: [], modified: [], renamed: [] };
  const removed = new Map<string, string>();
  const removedByDigest = new Map<string, string[]>();
  const added: ManifestEntry[] = [];
  const keep = (list: string[], item: string) => void (list.length < SAMPLE && list.push(item));

  const prev = readManifestSorted(previousFile)[Symbol.asyncIterator]();
  const cur = readManifestSorted(currentFile)[Symbol.asyncIterator]();
  let a = await next(prev);
  let b = await next(cur);
  while (a || b) {
    signal?.throwIfAborted();
    const order = !a ? 1 : !b ? -1 : comparePathKeys(a, b);
    if (order < 0) {
      counts.previousFiles++;
      if (removed.size < RENAME_TRACKING_LIMIT) {
        removed.set(a!.relative, a!.digest);
        const same = removedByDigest.get(a!.digest);
        if (same) same.push(a!.relative);
        else removedByDigest.set(a!.digest, [a!.relative]);
      } else counts.removed++;
      a = await next(prev);
    } else if (order > 0) {
      counts.currentFiles++;
      if (added.length < RENAME_TRACKING_LIMIT) added.push(b!);
      else counts.added++;
      b = await next(cur);
    } else {
      counts.previousFiles++;
      counts.currentFiles++;
      if (a!.digest !== b!.digest) {
        counts.modified++;
        keep(samples.modified, b!.relative);
      }
      a = await next(prev);
      b = await next(cur);
    }
  }
  for (const entry of added) {
    const stem = entry.relative.replace(/\.[^./]+$/, '');
    const from = stem !== entry.relative && removed.has(stem) ? stem : removedByDigest.get(entry.digest)?.find((p) => removed.has(p));
    if (from !== undefined) {
      removed.delete(from);
      counts.renamed++;
      keep(samples.renamed, `${from} -> ${entry.relative}`);
    } else {
      counts.added++;
      keep(samples.added, entry.relative);
    }
  }
  counts.removed += removed.size;
  for (const path of removed.keys()) keep(samples.removed, path);
  const changed = counts.added + counts.removed + counts.modified + counts.renamed;
  return { ...counts, rate: counts.previousFiles === 0 ? (changed > 0 ? 1 : 0) : changed / counts.previousFiles, samples };
}

async function next<T>(iterator: AsyncIterator<T>): Promise<T | undefined> {
  const result = await iterator.next();
  return result.done ? undefined : result.value;
}

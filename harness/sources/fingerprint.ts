/**
 * Proof that a drill left the backup as it found it: every backup path (source.backupPaths) is
 * fingerprinted before the sandbox is made and again after it is gone. A file: size, modification and
 * change times, inode, and its SHA-256 up to DIGEST_MAX_BYTES. A folder (a repository, a folder of
 * archives): the same by lstat for each entry, walked to at most MAX_ENTRIES, never hashed (they can
 * be large). Any difference is an ERROR: restore-drill never writes to a backup, so something else did.
 * The drill's own results folder is left out when it lies inside a backup folder (`cd /backups; run`):
 * what the drill writes there is its results, not the backup.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InfrastructureError } from '../errors.ts';

const DIGEST_MAX_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 200_000;
const NAMED_CHANGES = 10;

interface Entry {
  kind: 'file' | 'dir' | 'link' | 'other';
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  mode: number;
  sha256?: string;
}

type Prints = Map<string, Entry | 'missing'>;

export interface BackupFingerprint {
  /** undefined when the backup is as it was; else the error naming what changed. */
  changes(): Promise<InfrastructureError | undefined>;
}

export interface FingerprintOptions {
  signal?: AbortSignal;
  /** The drill's results folder: not part of the backup even when it lies inside a backup folder. */
  resultsRoot?: string;
}

export async function fingerprintBackup(backupPaths: string[], options: FingerprintOptions = {}): Promise<BackupFingerprint> {
  const own = options.resultsRoot === undefined ? undefined : path.resolve(options.resultsRoot);
  const before = await take(backupPaths, own, options.signal);
  return {
    changes: async () => {
      const after = await take(backupPaths, own);
      const differences = compare(before.prints, after.prints, before.complete && after.complete, own);
      if (differences.length === 0) return undefined;
      const named = differences.slice(0, NAMED_CHANGES).join('; ') + (differences.length > NAMED_CHANGES ? `; and ${differences.length - NAMED_CHANGES} more` : '');
      return new InfrastructureError(
        'BACKUP_CHANGED',
        `The backup changed during the drill: ${named}. restore-drill never writes to a backup, so something else did: a restore step or command check (when no sandbox protected it), or a backup job writing at the same time (run drills outside the backup window). Check this backup before trusting it.`,
      );
    },
  };
}

async function take(backupPaths: string[], own: string | undefined, signal?: AbortSignal): Promise<{ prints: Prints; complete: boolean }> {
  const prints: Prints = new Map();
  let complete = true;
  for (const root of backupPaths.map((p) => path.resolve(p))) {
    const info = await lstat(root).catch(() => undefined);
    if (!info) {
      prints.set(root, 'missing');
      continue;
    }
    const entry = entryOf(info);
    if (entry.kind === 'file' && info.size <= DIGEST_MAX_BYTES) {
      entry.sha256 = await sha256(root, signal).catch((err: unknown) => {
        if (signal?.aborted) throw err;
        return 'unreadable';
      });
    }
    prints.set(root, entry);
    if (entry.kind === 'dir') complete = (await walk(root, prints, own, signal)) && complete;
  }
  return { prints, complete };
}

/** lstat of everything under dir, in a fixed order; false when MAX_ENTRIES stopped the walk. */
async function walk(dir: string, prints: Prints, own: string | undefined, signal?: AbortSignal): Promise<boolean> {
  const pending = [dir];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const current = pending.pop()!;
    const names = (await readdir(current).catch(() => [] as string[])).sort();
    for (const name of names) {
      if (prints.size >= MAX_ENTRIES) return false;
      const full = path.join(current, name);
      if (full === own) continue;
      const info = await lstat(full).catch(() => undefined);
      if (!info) continue;
      const entry = entryOf(info);
      prints.set(full, entry);
      if (entry.kind === 'dir') pending.push(full);
    }
  }
  return true;
}

function entryOf(info: Stats): Entry {
  const kind = info.isFile() ? 'file' : info.isDirectory() ? 'dir' : info.isSymbolicLink() ? 'link' : 'other';
  return { kind, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino, mode: info.mode };
}

async function sha256(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

/** What differs, one phrase per path. A truncated walk compares only what the first one saw. */
function compare(before: Prints, after: Prints, both: boolean, own: string | undefined): string[] {
  const out: string[] = [];
  for (const [file, was] of before) {
    const now = after.get(file);
    if (now === undefined) {
      if (both) out.push(`${file} (removed)`);
      continue;
    }
    if (was === 'missing' || now === 'missing') {
      if (was !== now) out.push(`${file} (${was === 'missing' ? 'appeared' : 'removed'})`);
      continue;
    }
    // A folder that holds the results folder changes its times when results are written in it.
    const holdsResults = own !== undefined && own.startsWith(file + path.sep);
    const what = differences(was, now).filter((d) => !holdsResults || (d !== 'modified' && d !== 'changed (ctime)'));
    if (what.length > 0) out.push(`${file} (${what.join(', ')})`);
  }
  if (both) for (const file of after.keys()) if (!before.has(file)) out.push(`${file} (appeared)`);
  return out;
}

function differences(was: Entry, now: Entry): string[] {
  const what: string[] = [];
  if (was.kind !== now.kind) what.push(`was a ${was.kind}, now a ${now.kind}`);
  if (was.size !== now.size && was.kind !== 'dir') what.push(`size ${was.size} → ${now.size}`);
  if (was.sha256 !== undefined && now.sha256 !== undefined && was.sha256 !== now.sha256) what.push('content');
  if (was.ino !== now.ino) what.push('replaced (new inode)');
  if (was.mode !== now.mode) what.push('permissions');
  if (was.mtimeMs !== now.mtimeMs) what.push('modified');
  else if (was.ctimeMs !== now.ctimeMs) what.push('changed (ctime)');
  return what;
}

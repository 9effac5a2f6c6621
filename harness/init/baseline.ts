/**
 * The expected state init wires the files check to, found in the newest point restored into a
 * throwaway sandbox (restore-point.ts, the drill's own way): the manifest the backup job carries in
 * the data (CARRIED_MANIFEST in the folder), or else a baseline written on this host from the restored
 * tree with the manifest writer. The backup is only read; the restored content is hostile: the carried
 * manifest is only looked at through safe-open, and the writer never follows a link.
 */
import { createWriteStream } from 'node:fs';
import { lstat, readdir, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { systemClock } from '../clock.ts';
import { pointWork, restoreInto } from '../drill/restore-point.ts';
import { newRunId } from '../drill/run-id.ts';
import { BackupError } from '../errors.ts';
import { writeManifest, type ManifestStats } from '../manifest/create.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { folderInside, openInside } from '../manifest/safe-open.ts';
import type { Scenario } from '../scenario/load.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import type { BackupSource, RestorePoint } from '../sources/source.ts';
import { CARRIED_MANIFEST } from './host-manifest.ts';

export interface BaselineRequest {
  scenario: Scenario;
  source: BackupSource;
  point: RestorePoint;
  driver: SandboxDriver;
  /**
   * Folders inside the restore root the manifest may describe (expect.files.path), best first: the
   * first that the restore holds as a real folder is taken, else the root.
   */
  folders: string[];
  /** Where the baseline is written when the point carries no manifest (the caller refuses an existing one without --force). */
  manifestFile: string;
  logDir: string;
  signal: AbortSignal;
}

export type Baseline =
  /** The point carries its manifest: its path relative to the restore root (expect.files.manifest.inside). */
  | { folder: string; carried: string }
  /** A baseline was written to manifestFile. */
  | { folder: string; stats: ManifestStats };

export async function writeBaseline(request: BaselineRequest): Promise<Baseline> {
  await using pool = new HashPool();
  const work = pointWork(request.scenario, request.source, {
    driver: request.driver,
    pool,
    clock: systemClock,
    signal: request.signal,
    runId: `${newRunId(new Date())}-init`,
    logDir: request.logDir,
  });
  await using restored = await restoreInto(work, request.point);
  const { folder, root } = await firstFolder(restored.sandbox.hostRestoreDir, request.folders);
  const carried = await carriedManifest(restored.sandbox.hostRestoreDir, folder, root);
  if (carried) return carried;
  const stats = await writeAtomically(request.manifestFile, (out) => writeManifest(root, out, pool, undefined, request.signal));
  if (stats.files === 0) {
    await rm(request.manifestFile, { force: true });
    throw new BackupError(
      'POINT_EMPTY',
      `The point ${request.point.id} holds no file${folder === '.' ? '' : ` under ${folder}`}: there is nothing to verify, and a files check on it would prove nothing. Check that the backup job backs up what it should.`,
    );
  }
  return { folder, stats };
}

/** At most this many entries of the folder are looked through for a share's carried manifest. */
const MAX_LOOKED_AT = 1000;

/**
 * The manifest a backup job wrote into the data: in the folder, or in the one subfolder of it that
 * holds one (a tar of share/, a snapshot of /srv with share/ in it). Two or more: none is chosen.
 */
async function carriedManifest(restoreRoot: string, folder: string, root: string): Promise<Baseline | undefined> {
  const inFolder = path.posix.join(folder, CARRIED_MANIFEST);
  if (await holdsFile(restoreRoot, inFolder)) return { folder, carried: inFolder };
  const found: Baseline[] = [];
  const entries = (await readdir(root, { withFileTypes: true }).catch(() => [])).slice(0, MAX_LOOKED_AT);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue; // a link to a folder is not followed
    const sub = path.posix.join(folder, entry.name);
    const carried = path.posix.join(sub, CARRIED_MANIFEST);
    if (await holdsFile(restoreRoot, carried)) found.push({ folder: sub, carried });
  }
  return found.length === 1 ? found[0] : undefined;
}

/** A regular file there, reached without a link (a link or a FIFO the backup holds is not a manifest). */
async function holdsFile(root: string, relative: string): Promise<boolean> {
  const opened = await openInside(root, relative).catch(() => undefined);
  await opened?.handle.close();
  return opened !== undefined;
}

/** The first candidate the restore holds as a folder (never through a link: the tree is the backup's), else the root. */
async function firstFolder(restoreRoot: string, candidates: string[]): Promise<{ folder: string; root: string }> {
  for (const folder of candidates) {
    const root = await folderInside(restoreRoot, folder, 'expect.files.path').catch(() => undefined);
    if (root && (await lstat(root).then((info) => info.isDirectory(), () => false))) return { folder, root };
  }
  return { folder: '.', root: restoreRoot };
}

async function writeAtomically(file: string, write: (out: Writable) => Promise<ManifestStats>): Promise<ManifestStats> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial, { mode: 0o644 });
  try {
    const stats = await write(out);
    out.end();
    await finished(out);
    await rename(partial, file);
    return stats;
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  }
}

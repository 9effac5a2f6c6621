/**
 * The baseline manifest init writes beside the scenario: the point restored into a throwaway sandbox
 * (restore-point.ts, the drill's own way), the restored tree hashed with the manifest writer. It
 * records what this point holds now, so a later drill of the same point proves it comes back bit for
 * bit. The backup is only read; the restored content is hostile, and the writer never follows a link.
 */
import { createWriteStream } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { systemClock } from '../clock.ts';
import { pointWork, restoreInto } from '../drill/restore-point.ts';
import { newRunId } from '../drill/run-id.ts';
import { BackupError } from '../errors.ts';
import { writeManifest, type ManifestStats } from '../manifest/create.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { folderInside } from '../manifest/safe-open.ts';
import type { Scenario } from '../scenario/load.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import type { BackupSource, RestorePoint } from '../sources/source.ts';

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
  /** Where the manifest is written (refused by the caller when it exists and --force is not given). */
  manifestFile: string;
  logDir: string;
  signal: AbortSignal;
}

export interface Baseline {
  /** The folder taken (expect.files.path): "." for the restore root. */
  folder: string;
  stats: ManifestStats;
}

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

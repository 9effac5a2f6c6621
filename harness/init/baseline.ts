/**
 * The baseline manifest init writes beside the scenario: the point restored into a throwaway sandbox
 * (restore-point.ts, the drill's own way), the restored tree hashed with the manifest writer. It
 * records what this point holds now, so a later drill of the same point proves it comes back bit for
 * bit. The backup is only read; the restored content is hostile, and the writer never follows a link.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
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
  /** Folder inside the restore root the manifest describes (expect.files.path). */
  folder: string;
  /** Where the manifest is written (refused by the caller when it exists and --force is not given). */
  manifestFile: string;
  logDir: string;
  signal: AbortSignal;
}

export async function writeBaseline(request: BaselineRequest): Promise<ManifestStats> {
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
  const root = await folderInside(restored.sandbox.hostRestoreDir, request.folder, 'expect.files.path');
  const stats = await writeAtomically(request.manifestFile, (out) => writeManifest(root, out, pool, undefined, request.signal));
  if (stats.files === 0) {
    await rm(request.manifestFile, { force: true });
    throw new BackupError(
      'POINT_EMPTY',
      `The point ${request.point.id} holds no file${request.folder === '.' ? '' : ` under ${request.folder}`}: there is nothing to verify, and a files check on it would prove nothing. Check that the backup job backs up what it should.`,
    );
  }
  return stats;
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

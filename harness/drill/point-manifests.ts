/**
 * Manifests of restore points, for the change rule: a point already restored is hashed where it lies;
 * any other is restored into a scratch sandbox (through restoreInto), hashed, and the sandbox removed.
 * Manifests are kept (per run) so that walking many points restores each neighbour once; a search
 * walking newest to oldest asks for the scratch restore to be kept, since it scans that point next.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import type { PointAccess } from '../checks/check.ts';
import { writeManifest } from '../manifest/create.ts';
import { folderInside } from '../manifest/safe-open.ts';
import type { Scenario } from '../scenario/load.ts';
import type { RestorePoint } from '../sources/source.ts';
import { restoreInto, type PointWork, type RestoredPoint } from './restore-point.ts';

export class PointManifests implements AsyncDisposable {
  private readonly work: PointWork;
  /** Folder inside the restore root that is compared (the ransomware check's path). */
  private readonly subPath: string | undefined;
  private readonly cache = new Map<string, Promise<string>>();
  private dir?: Promise<string>;
  private kept: RestoredPoint | undefined;
  private scratchCount = 0;

  constructor(work: PointWork, subPath?: string) {
    this.work = work;
    this.subPath = subPath;
  }

  /** The restore of a point kept for its scan, if any; the caller disposes it. */
  takeRestored(point: RestorePoint): RestoredPoint | undefined {
    if (this.kept?.point.id !== point.id) return undefined;
    const kept = this.kept;
    this.kept = undefined;
    return kept;
  }

  /**
   * The PointAccess a check gets for `current`, whose previous point is the next older in `points`.
   * With keepScratch, the scratch restore made for the previous point is kept for takeRestored.
   */
  accessFor(current: RestorePoint, points: RestorePoint[], keepScratch = false): PointAccess {
    const index = points.findIndex((p) => p.id === current.id);
    return {
      current,
      previous: index >= 0 ? points[index + 1] : undefined,
      manifestOf: (point, restoredAt) => this.manifestOf(point, restoredAt, keepScratch),
    };
  }

  manifestOf(point: RestorePoint, restoredAt?: string, keepScratch = false): Promise<string> {
    let found = this.cache.get(point.id);
    if (!found) {
      found = this.make(point, restoredAt, keepScratch);
      found.catch(() => this.cache.delete(point.id));
      this.cache.set(point.id, found);
    }
    return found;
  }

  /** Removes a kept restore nobody took (a search ended). */
  async releaseKept(): Promise<void> {
    const kept = this.kept;
    this.kept = undefined;
    await kept?.dispose();
  }

  async dispose(): Promise<void> {
    const kept = this.kept;
    this.kept = undefined;
    const dir = this.dir;
    this.dir = undefined;
    this.cache.clear();
    try {
      await kept?.dispose();
    } finally {
      if (dir) await rm(await dir, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async make(point: RestorePoint, restoredAt: string | undefined, keepScratch: boolean): Promise<string> {
    this.dir ??= mkdtemp(path.join(os.tmpdir(), 'restore-drill-manifests-'));
    const file = path.join(await this.dir, `${this.cache.size}-${point.id.replace(/[^A-Za-z0-9._-]/g, '_')}.sha256`);
    if (restoredAt) {
      await this.hash(restoredAt, file);
      return file;
    }
    // Unique per scratch sandbox: a kept one may still exist when the next is made (docker names them).
    const scratch = await restoreInto(this.work, point, { name: `prev${++this.scratchCount}` });
    try {
      await this.hash(await folderInside(scratch.sandbox.hostRestoreDir, this.subPath ?? '.', 'expect.ransomware.path'), file);
    } catch (err) {
      await scratch.dispose();
      throw err;
    }
    if (keepScratch) await this.keep(scratch);
    else await scratch.dispose();
    return file;
  }

  private async keep(scratch: RestoredPoint): Promise<void> {
    const previous = this.kept;
    this.kept = scratch;
    await previous?.dispose();
  }

  private async hash(root: string, file: string): Promise<void> {
    const out = createWriteStream(file);
    try {
      await writeManifest(root, out, this.work.pool, undefined, this.work.signal);
    } finally {
      out.end();
      await finished(out);
    }
  }
}

/**
 * Makes the manifest of the point before `point` ahead of time when a ransomware check will compare
 * with it, so that the scratch restore it needs is timed in the select phase and not in the RTO.
 */
export async function prepareChangeBaseline(scenario: Scenario, checks: { kind: string }[], points: RestorePoint[], point: RestorePoint, manifests: () => PointManifests): Promise<void> {
  if (!checks.some((c) => c.kind === 'ransomware') || scenario.spec.expect.ransomware?.change === false) return;
  const index = points.findIndex((p) => p.id === point.id);
  const previous = index >= 0 ? points[index + 1] : undefined;
  if (previous) await manifests().manifestOf(previous);
}

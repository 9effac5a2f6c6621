/**
 * Manifests of restore points, for the change rule: a point already restored is hashed where it lies;
 * any other is restored into a scratch sandbox of the same driver, hashed, and the sandbox removed.
 * Manifests are kept (per run) so that walking many points restores each neighbour once.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import type { PointAccess } from '../checks/check.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import { writeManifest } from '../manifest/create.ts';
import type { Sandbox, SandboxDriver } from '../sandboxes/sandbox.ts';
import type { SandboxSpec } from '../scenario/schema.ts';
import { backupPathsOf, type BackupSource, type RestorePoint, type RestoreProgress } from '../sources/source.ts';

export interface PointManifestsOptions {
  source: BackupSource;
  driver: SandboxDriver;
  sandboxSpec: SandboxSpec;
  scenario: string;
  runId: string;
  logDir: string;
  pool: HashPool;
  signal: AbortSignal;
  /** Folder inside the restore root that is compared (the check's path). */
  subPath?: string;
}

/** A point restored into a sandbox for its manifest, kept for the scan that comes next. */
export interface KeptRestore {
  sandbox: Sandbox;
  restored: RestoreProgress;
}

export class PointManifests implements AsyncDisposable {
  private readonly options: PointManifestsOptions;
  private readonly cache = new Map<string, Promise<string>>();
  private dir?: Promise<string>;
  private kept: { id: string; restore: KeptRestore } | undefined;
  private scratchCount = 0;
  /**
   * Keep the last point restored for a manifest (walking newest to oldest, the previous point is the
   * next one scanned): its scan then takes that sandbox instead of restoring the point again.
   */
  keepRestored = false;

  constructor(options: PointManifestsOptions) {
    this.options = options;
  }

  /** The sandbox a point was restored into for its manifest, if kept; the caller disposes it. */
  takeRestored(point: RestorePoint): KeptRestore | undefined {
    if (this.kept?.id !== point.id) return undefined;
    const { restore } = this.kept;
    this.kept = undefined;
    return restore;
  }

  /** Removes a kept sandbox nobody took. */
  async releaseKept(): Promise<void> {
    const kept = this.kept;
    this.kept = undefined;
    await kept?.restore.sandbox.dispose();
  }

  /** The PointAccess a check gets for `current`, whose previous point is the next older in `points`. */
  accessFor(current: RestorePoint, points: RestorePoint[]): PointAccess {
    const index = points.findIndex((p) => p.id === current.id);
    return { current, previous: index >= 0 ? points[index + 1] : undefined, manifestOf: (point, restoredAt) => this.manifestOf(point, restoredAt) };
  }

  manifestOf(point: RestorePoint, restoredAt?: string): Promise<string> {
    let found = this.cache.get(point.id);
    if (!found) {
      found = this.make(point, restoredAt);
      found.catch(() => this.cache.delete(point.id));
      this.cache.set(point.id, found);
    }
    return found;
  }

  async dispose(): Promise<void> {
    await this.releaseKept();
    const dir = this.dir;
    this.dir = undefined;
    this.cache.clear();
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private async make(point: RestorePoint, restoredAt?: string): Promise<string> {
    this.dir ??= mkdtemp(path.join(os.tmpdir(), 'restore-drill-manifests-'));
    const file = path.join(await this.dir, `${this.cache.size}-${point.id.replace(/[^A-Za-z0-9._-]/g, '_')}.sha256`);
    if (restoredAt) {
      await this.hash(restoredAt, file);
      return file;
    }
    const o = this.options;
    const sandbox = await o.driver.provision({
      spec: o.sandboxSpec,
      backupPaths: backupPathsOf(o.source, point),
      scenario: o.scenario,
      // Unique per scratch sandbox: a kept one may still exist when the next is made (docker names them).
      runId: `${o.runId}-prev${++this.scratchCount}`,
      logDir: o.logDir,
      signal: o.signal,
    });
    let keep = false;
    try {
      const restored = await o.source.restore(point, { sandbox, signal: o.signal, onProgress: () => undefined });
      await this.hash(path.resolve(sandbox.hostRestoreDir, o.subPath ?? '.'), file);
      if (this.keepRestored) {
        await this.releaseKept();
        this.kept = { id: point.id, restore: { sandbox, restored } };
        keep = true;
      }
    } finally {
      if (!keep) await sandbox.dispose();
    }
    return file;
  }

  private async hash(root: string, file: string): Promise<void> {
    const out = createWriteStream(file);
    try {
      await writeManifest(root, out, this.options.pool, undefined, this.options.signal);
    } finally {
      out.end();
      await finished(out);
    }
  }
}

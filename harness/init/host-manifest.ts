/**
 * Where init writes the baseline manifest on this host when the point carries none: one file beside
 * the scenario for a backup that is one archive or folder, else a template of one file per point
 * (NAME-manifests/{id}.sha256), so that the expected state follows the point drilled and the backup
 * job has a place to write each new point's manifest.
 */
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../errors.ts';
import { expandTemplate } from '../manifest/manifest-template.ts';
import type { RestorePoint } from '../sources/source.ts';
import type { BackupRequest } from './request.ts';

/** The name a backup job gives the manifest it writes into the folder it backs up (README, "The expected state that follows the point"). */
export const CARRIED_MANIFEST = '.restore-drill.sha256';

export interface HostManifest {
  /** expect.files.manifest as the scenario writes it (relative to the scenario). */
  written: string;
  /** The host file for the newest point (absolute). */
  file: string;
  template: boolean;
}

export function hostManifestFor(backup: BackupRequest, scenarioFile: string, newest: RestorePoint, pointCount: number): HostManifest {
  const base = path.basename(scenarioFile).replace(/\.ya?ml$/i, '');
  const dir = path.dirname(scenarioFile);
  const onePoint = (backup.kind === 'tar' || backup.kind === 'directory') && !fg.isDynamicPattern(backup.location) && pointCount === 1;
  if (onePoint) return { written: `${base}.sha256`, file: path.join(dir, `${base}.sha256`), template: false };
  const written = `${base}-manifests/{id}.sha256`;
  const file = expandTemplate(path.join(dir, written), newest);
  if (file === undefined) throw new UsageError(`the newest point's id '${newest.id}' holds "/" or is only dots: it cannot name a manifest file`);
  return { written, file, template: true };
}

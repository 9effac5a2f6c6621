/**
 * Where the files check's manifest comes from (expect.files.manifest): a file on this host, a template
 * on this host chosen by the point drilled (manifests/{id}.sha256), or a manifest the backup job wrote
 * into the data just before the backup ({ inside: PATH }), read from the restored point. The restored
 * point is hostile: the manifest inside it is opened through safe-open (never through a link, never a
 * FIFO) and copied out before it is read, so nothing in the sandbox can change it while it is compared.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import { BackupError, InputError } from '../errors.ts';
import { expandTemplate, isManifestTemplate } from '../manifest/manifest-template.ts';
import { openInside, UnsafePathError } from '../manifest/safe-open.ts';
import type { ManifestForm } from '../scenario/manifest-schema.ts';
import type { RestorePoint } from '../sources/source.ts';
import { formatBytes } from '../units.ts';

/** A manifest inside a point larger than this is refused (about 30 million files). */
export const MAX_INSIDE_MANIFEST_BYTES = 4 * 1024 ** 3;

export interface ExpectedManifest {
  /** The host file to compare with. */
  file: string;
  /** What result.json and messages call it. */
  shown: string;
  /** The manifest's own path relative to the compared folder, when it lies in it: left out of the comparison. */
  excluded?: string;
  dispose(): Promise<void>;
}

export interface ManifestWhere {
  /** The point restored (absent only for a plain host file). */
  point?: RestorePoint;
  restoreDir: string;
  /** expect.files.path: the folder inside the restore that the manifest describes. */
  comparedPath: string;
  signal: AbortSignal;
}

export interface ManifestLocator {
  /** A stable name for the check (the same every night). */
  readonly name: string;
  locate(where: ManifestWhere): Promise<ExpectedManifest>;
}

/** The locator for a scenario's form; `resolve` makes a host path absolute (relative to the scenario). */
export function manifestLocator(form: ManifestForm, resolve: (file: string) => string): ManifestLocator {
  if (typeof form !== 'string') return insideLocator(form.inside);
  if (isManifestTemplate(form)) return templateLocator(form, resolve(form));
  return hostFile(resolve(form));
}

/** One file on this host, the same for every point. */
export function hostFile(file: string): ManifestLocator {
  return {
    name: path.basename(file),
    async locate() {
      if (!(await exists(file))) {
        throw new InputError('MANIFEST_MISSING', `The manifest ${file} does not exist. Make it with "restore-drill manifest <folder> -o ${file}".`);
      }
      return { file, shown: file, dispose: async () => {} };
    },
  };
}

function templateLocator(template: string, resolved: string): ManifestLocator {
  return {
    name: path.basename(template),
    async locate({ point }) {
      if (!point) throw new InputError('MANIFEST_MISSING', `The manifest template ${template} needs a restore point to choose a file`);
      const file = expandTemplate(resolved, point);
      const named = `restore point ${point.id} (${point.time.toISOString()})`;
      if (file === undefined) {
        throw new BackupError('MANIFEST_NOT_FOR_POINT', `The manifest template ${template} (expect.files.manifest) cannot name a file for ${named}: its id or time holds "/" or is only dots.`);
      }
      if (!(await exists(file))) {
        throw new BackupError(
          'MANIFEST_NOT_FOR_POINT',
          `There is no manifest for ${named}: the template ${template} (expect.files.manifest) names ${file}, which does not exist. The backup job writes one for each point (restore-drill manifest <folder> -o ${file}); without it this point's files cannot be verified.`,
        );
      }
      return { file, shown: file, dispose: async () => {} };
    },
  };
}

function insideLocator(inside: string): ManifestLocator {
  const relative = path.posix.normalize(inside);
  return {
    name: `${path.posix.basename(relative)} (in the point)`,
    async locate({ point, restoreDir, comparedPath, signal }) {
      const named = point ? `restore point ${point.id}` : 'the restore';
      const folder = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-manifest-'));
      const file = path.join(folder, 'manifest.sha256');
      try {
        await copyOut(restoreDir, relative, file, named, signal);
      } catch (err) {
        await rm(folder, { recursive: true, force: true });
        throw err;
      }
      const excluded = path.posix.relative(path.posix.normalize(comparedPath), relative);
      return {
        file,
        shown: `${relative} (in ${named})`,
        excluded: excluded === '' || excluded.startsWith('..') ? undefined : excluded,
        dispose: () => rm(folder, { recursive: true, force: true }),
      };
    },
  };
}

/** Copies the manifest out of the restored tree: a regular file inside it, at most MAX_INSIDE_MANIFEST_BYTES. */
async function copyOut(restoreDir: string, relative: string, file: string, named: string, signal: AbortSignal): Promise<void> {
  let opened: Awaited<ReturnType<typeof openInside>>;
  try {
    opened = await openInside(restoreDir, relative);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new BackupError(
        'MANIFEST_NOT_IN_POINT',
        `The manifest ${relative} (expect.files.manifest.inside) is not in ${named}: the backup job writes it into the data just before each backup ("restore-drill manifest <folder> -o <folder>/${path.posix.basename(relative)}"); without it this point's files cannot be verified.`,
      );
    }
    if (err instanceof UnsafePathError) throw new BackupError('MANIFEST_NOT_IN_POINT', `The manifest ${relative} (expect.files.manifest.inside) in ${named} ${err.message.replace(`${relative}: `, '')}`);
    throw err;
  }
  const { handle, size } = opened;
  try {
    if (size > MAX_INSIDE_MANIFEST_BYTES) throw tooLarge(relative, named, size);
    let copied = 0;
    const capped = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        copied += chunk.length;
        done(copied > MAX_INSIDE_MANIFEST_BYTES ? tooLarge(relative, named, copied) : null, chunk);
      },
    });
    await pipeline(handle.createReadStream({ autoClose: false }), capped, createWriteStream(file, { flags: 'wx' }), { signal });
  } finally {
    await handle.close();
  }
}

function tooLarge(relative: string, named: string, size: number): BackupError {
  return new BackupError('MANIFEST_NOT_IN_POINT', `The manifest ${relative} (expect.files.manifest.inside) in ${named} is ${formatBytes(size)}, more than a manifest of ${formatBytes(MAX_INSIDE_MANIFEST_BYTES)} can be: not read`);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

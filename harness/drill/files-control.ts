/**
 * The files check's negative control, made without touching the restore it verified: the real files
 * check runs over a small view of it in a scratch folder, a copy of one restored file with one byte
 * flipped, and a two-entry manifest naming that file and one more that the view leaves out (removed).
 * The check must FAIL naming both: the flipped file changed, the removed one missing. Copying one
 * file (at most 64 MiB) costs little on any tree; the whole tree is never copied or hashed again.
 */
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CheckResultOf } from '../checks/check.ts';
import { hostFile, type ManifestLocator } from '../checks/expected-manifest.ts';
import { FilesCheck } from '../checks/files.ts';
import type { Clock } from '../clock.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import { formatManifestLine, readManifestLines, type ManifestEntry } from '../manifest/manifest-file.ts';
import type { FilesCheckSpec } from '../scenario/schema.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import type { RestorePoint } from '../sources/source.ts';
import { folderView } from './folder-view.ts';
import type { ControlCheck } from './result.ts';

/** The largest restored file copied for the flip, and how many manifest entries are tried to find one. */
const MAX_FLIP_BYTES = 64 * 1024 * 1024;
const MAX_CANDIDATES = 1000;

export interface FilesControlContext {
  pool: HashPool;
  clock: Clock;
  signal: AbortSignal;
}

interface Flip {
  entry: ManifestEntry;
  file: string;
  size: number;
}

/** The control of the files check whose manifest `locator` finds for `point` (a host file, or the one inside the point). */
export async function filesControl(spec: FilesCheckSpec, manifestOf: ManifestLocator | string, restored: Sandbox, context: FilesControlContext, point?: RestorePoint): Promise<ControlCheck> {
  const locator = typeof manifestOf === 'string' ? hostFile(manifestOf) : manifestOf;
  const manifest = await locator.locate({ point, restoreDir: restored.hostRestoreDir, comparedPath: spec.path, signal: context.signal });
  try {
    return await controlWith(spec, locator.name, manifest.file, restored, context);
  } finally {
    await manifest.dispose();
  }
}

async function controlWith(spec: FilesCheckSpec, manifestName: string, manifestFile: string, restored: Sandbox, context: FilesControlContext): Promise<ControlCheck> {
  const name = `files match ${manifestName}`;
  const root = path.resolve(restored.hostRestoreDir, spec.path);
  let { flip, removed } = await chooseEntries(manifestFile, root, context.signal);
  const base = { kind: 'files' as const, name, method: 'manipulated-view' as const };
  if (!flip && !removed) return { ...base, status: 'vacuous', summary: `the manifest ${manifestName} lists no file, so the check passes on any restore` };
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'rd-control-'));
  try {
    const tree = path.join(scratch, 'tree');
    await mkdir(tree);
    const flippedAt = flip ? await copyFlipped(flip, tree) : undefined;
    if (flippedAt === undefined) flip = undefined;
    if (!flip && !removed) return { ...base, method: 'none', status: 'not-applicable', summary: 'the one file of the manifest changed while it was copied (something in the sandbox still writes to it): nothing to try' };
    const viewManifest = path.join(scratch, 'manifest.sha256');
    await writeFile(viewManifest, [flip?.entry, removed].filter((e) => e !== undefined).map((e) => formatManifestLine(e.digest, e.relative)).join(''));
    const check = new FilesCheck({ ...spec, path: '.' }, viewManifest);
    const result = await check.run({ sandbox: folderView(tree), pool: context.pool, clock: context.clock, signal: context.signal, onProgress: () => {} });
    return judge(base, result, flip && { relative: flip.entry.relative, byte: flippedAt! }, removed?.relative);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function judge(base: Omit<ControlCheck, 'status' | 'summary'>, result: CheckResultOf<'files'>, flip: { relative: string; byte: number } | undefined, removed: string | undefined): ControlCheck {
  const found = (rule: string, subject: string) => result.findings.some((f) => f.rule === rule && f.subject === subject);
  const caught: string[] = [];
  const missed: string[] = [];
  if (flip) (found('changed', flip.relative) ? caught : missed).push(`${flip.relative} with byte ${flip.byte} flipped (changed)`);
  if (removed) (found('missing', removed) ? caught : missed).push(`${removed} removed (missing)`);
  const noFlip = flip ? '' : `; no restored file of 1 byte to ${MAX_FLIP_BYTES / 1024 / 1024} MiB among the first ${MAX_CANDIDATES} entries to flip a byte of`;
  if (result.status === 'fail' && missed.length === 0) return { ...base, status: 'proven', summary: `failed as it must on a copy: ${caught.join(' and ')}${noFlip}` };
  return { ...base, status: 'vacuous', summary: `did not notice ${missed.join(' and ') || 'the manipulated copy'}: it would pass a damaged restore` };
}

/** One entry whose restored file can be copied with a byte flipped, and one other entry to leave out. */
async function chooseEntries(manifestFile: string, root: string, signal: AbortSignal): Promise<{ flip?: Flip; removed?: ManifestEntry }> {
  let flip: Flip | undefined;
  let removed: ManifestEntry | undefined;
  let tried = 0;
  const realRoot = await realpath(root).catch(() => undefined);
  for await (const entry of readManifestLines(manifestFile)) {
    signal.throwIfAborted();
    if (!flip && realRoot && tried < MAX_CANDIDATES) {
      tried++;
      const candidate = await flippable(realRoot, entry);
      if (candidate) {
        flip = candidate;
        if (removed) break;
        continue;
      }
    }
    removed ??= entry;
    if (flip || !realRoot || tried >= MAX_CANDIDATES) break;
  }
  return { flip, removed };
}

/** A regular file of the restore (no link anywhere on its path: the restore is hostile), of a size worth copying. */
async function flippable(realRoot: string, entry: ManifestEntry): Promise<Flip | undefined> {
  const file = path.join(realRoot, entry.relative);
  if (!file.startsWith(realRoot + path.sep)) return undefined;
  const info = await lstat(file).catch(() => undefined);
  if (!info?.isFile() || info.size === 0 || info.size > MAX_FLIP_BYTES) return undefined;
  if ((await realpath(file).catch(() => undefined)) !== file) return undefined;
  return { entry, file, size: info.size };
}

/** Copies the file into the view at its relative path, its middle byte inverted; returns that byte's offset. */
async function copyFlipped(flip: Flip, tree: string): Promise<number | undefined> {
  const target = path.join(tree, flip.entry.relative);
  await mkdir(path.dirname(target), { recursive: true });
  const handle = await open(flip.file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const info = await handle.stat();
  if (!info.isFile() || info.size === 0) {
    // Swapped for something else since it was chosen (a service in the sandbox may still write).
    await handle.close();
    return undefined;
  }
  const size = Math.min(info.size, MAX_FLIP_BYTES);
  const offset = Math.floor(size / 2);
  let seen = 0;
  const flipper = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (offset >= seen && offset < seen + chunk.length) chunk[offset - seen] = chunk[offset - seen]! ^ 0xff;
      seen += chunk.length;
      done(null, chunk);
    },
  });
  const source = createReadStream('', { fd: handle, start: 0, end: size - 1 });
  await pipeline(source, flipper, createWriteStream(target, { flags: 'wx' }));
  return offset;
}

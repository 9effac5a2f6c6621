/**
 * restic's point streamed into the hashing extractor (stream-restore.ts): `restic dump --archive tar
 * <id> /` inside the sandbox for a whole snapshot; for a sample, each path on its own: a folder's dump
 * is a tar of its entries under their full names, a file's dump is its bytes (never a tar, whatever
 * --archive says), so which one a path is comes first from `restic ls --json` on this host. Entries
 * land where `restic restore --target` puts them: the snapshot's paths under the target.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../errors.ts';
import { recordDigestsFor } from '../manifest/known-digests.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';
import { shellCommand } from '../shell.ts';
import { readJsonLinesUntil } from './host-lines.ts';
import type { RestoreContext, RestorePoint, RestoreProgress } from './source.ts';
import { streamIntoExtractor, type StreamingSandbox } from './stream-restore.ts';
import { refuseEntries } from './tar.ts';
import { readTar, TarReadError, type TarEntry } from './tar-reader.ts';

/** A node of `restic ls --json`. */
export interface ResticNode {
  path: string;
  type: string;
  size?: number;
  mode?: number;
  mtime?: string;
}

export interface DumpJob {
  point: RestorePoint;
  context: RestoreContext & { sandbox: StreamingSandbox };
  /** The repository as the sandbox sees it, and as this host does (for ls). */
  repository: string;
  hostRepository: string;
  password: string;
  into: string;
  timeoutMs: number;
  /** The sample's paths (from ls), or undefined for the whole snapshot. */
  sample?: SampledPath[];
  /** restic's failure as the source words it (restic.ts). */
  failure(result: ExecResult, what: string): Error;
  timeout(): Error;
}

const READ_FLAGS = ['--no-lock', '--no-cache'];

/** A sampled path's node and its folders' (outermost first): restore --include gives those their modes and times too. */
export interface SampledPath {
  node: ResticNode;
  folders: ResticNode[];
}

export interface Listing {
  hostRepository: string;
  password: string;
  signal: AbortSignal;
}

/**
 * The sampled paths' nodes and their folders', from one `restic ls --json <id> <paths and folders>`
 * on this host (it lists those folders' entries), read until all are seen; `missing` names the
 * sampled paths the snapshot lacks, `ended` is how ls ended when it did not list them all.
 */
export async function sampledPaths(listing: Listing, id: string, wanted: string[]) {
  const paths = wanted.map((p) => p.replace(/\/+$/, '') || '/');
  const above = new Map(paths.map((p) => [p, foldersAbove(p)]));
  const needed = new Set([...paths, ...[...above.values()].flat()]);
  const nodes = new Map<string, ResticNode>();
  const read = needed.size === 0 ? { done: true as const } : await readJsonLinesUntil<ResticNode & { struct_type?: string }>(
    'restic',
    [...READ_FLAGS, '-r', listing.hostRepository, 'ls', '--json', id, ...needed],
    { env: { RESTIC_PASSWORD: listing.password }, signal: listing.signal },
    (node) => {
      if (node.struct_type !== 'snapshot' && typeof node.path === 'string' && needed.has(node.path)) nodes.set(node.path, node);
      return nodes.size === needed.size;
    },
  );
  const sampled: SampledPath[] = [];
  const missing: string[] = [];
  wanted.forEach((original, i) => {
    const node = nodes.get(paths[i]!);
    const folders = above.get(paths[i]!)!.map((f) => nodes.get(f));
    if (!node || folders.some((f) => !f)) missing.push(original);
    else sampled.push({ node, folders: folders as ResticNode[] });
  });
  return { sampled, missing, ended: read.done ? undefined : read.ended };
}

function foldersAbove(p: string): string[] {
  const folders: string[] = [];
  for (let dir = path.posix.dirname(p); dir !== '/' && dir !== '.'; dir = path.posix.dirname(dir)) folders.unshift(dir);
  return folders;
}

/** Whether a sample can be dumped: folders and files only (a link or special file is restored the old way). */
export function dumpable(sample: SampledPath[]): boolean {
  return sample.every(({ node }) => node.type === 'dir' || node.type === 'file');
}

export async function dumpRestore(job: DumpJob): Promise<RestoreProgress> {
  const { point, context } = job;
  const root = path.join(context.sandbox.hostRestoreDir, job.into);
  await mkdir(root, { recursive: true });
  const digests = recordDigestsFor(context.sandbox);
  const total: RestoreProgress = { files: 0, bytes: 0 };
  const parts = job.sample ?? [{ node: { path: '/', type: 'dir' }, folders: [] }];
  for (const part of parts) {
    const before = { ...total };
    const onProgress = (p: RestoreProgress) => context.onProgress({ files: before.files + p.files, bytes: before.bytes + p.bytes });
    const progress = await dumpOne(job, part, root, digests, onProgress);
    total.files += progress.files;
    total.bytes += progress.bytes;
    if (progress.warnings) total.warnings = [...(total.warnings ?? []), ...progress.warnings];
  }
  await digests.seal();
  context.onProgress(total);
  return total;
}

async function dumpOne(job: DumpJob, { node, folders }: SampledPath, root: string, digests: ReturnType<typeof recordDigestsFor>, onProgress: (p: RestoreProgress) => void): Promise<RestoreProgress> {
  const { point, context } = job;
  const args = ['restic', ...READ_FLAGS, '-r', job.repository, 'dump', ...(node.type === 'dir' ? ['--archive', 'tar'] : []), point.id, node.path];
  const outcome = await streamIntoExtractor({
    sandbox: context.sandbox,
    command: shellCommand(args),
    exec: { timeoutMs: job.timeoutMs, env: { RESTIC_PASSWORD: job.password }, harnessCommand: true },
    root,
    signal: context.signal,
    digests,
    onProgress,
    entries: (stdout) => withFolders(folders, node.type === 'dir' ? withFolder(node, readTar(stdout)) : fileEntries(node, stdout)),
  }).catch((err: unknown) => {
    if (err instanceof TarReadError) throw new BackupError('ARCHIVE_UNREADABLE', `The archive restic dump gave for ${node.path} of snapshot ${point.id.slice(0, 8)} could not be read: ${err.message}. The repository may be damaged: "restic check --read-data" on a copy tells more.`, { cause: err });
    throw err;
  });
  if (!outcome.ok) {
    if (outcome.ended.timedOut) throw job.timeout();
    throw job.failure({ ...outcome.ended, stdout: '' }, `restore snapshot ${point.id.slice(0, 8)} from`);
  }
  refuseEntries(`restic dump of snapshot ${point.id.slice(0, 8)}`, outcome.refused);
  return outcome.progress;
}

async function* withFolders(folders: ResticNode[], entries: AsyncIterable<TarEntry>): AsyncGenerator<TarEntry> {
  for (const folder of folders) yield nodeEntry(folder, 'directory', async function* () {});
  yield* entries;
}

/** A folder's dump holds its entries but not the folder itself: it comes first, with the mode and time ls gave. */
async function* withFolder(node: ResticNode, entries: AsyncIterable<TarEntry>): AsyncGenerator<TarEntry> {
  if (node.path !== '/') yield nodeEntry(node, 'directory', async function* () {});
  yield* entries;
}

/** A file's dump: its bytes, exactly the size ls gave (more would escape the budget charged for it). */
async function* fileEntries(node: ResticNode, stdout: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const size = node.size ?? 0;
  yield nodeEntry(node, 'file', async function* () {
    let left = size;
    for await (const piece of stdout) {
      if (piece.length > left) throw new TarReadError(`restic gave more than the ${size} bytes it listed for ${node.path}`);
      left -= piece.length;
      yield piece;
    }
    if (left > 0) throw new TarReadError(`restic gave ${size - left} of the ${size} bytes it listed for ${node.path}`);
  });
  // A body the extractor did not read (it refused the entry) is read out, so that restic can end.
  for await (const _ of stdout);
}

function nodeEntry(node: ResticNode, type: 'file' | 'directory', body: () => AsyncGenerator<Buffer>): TarEntry {
  const mtime = node.mtime ? Date.parse(node.mtime) / 1000 : undefined;
  return {
    path: Buffer.from(node.path.replace(/^\/+/, '')),
    type,
    flag: type === 'file' ? '0' : '5',
    linkpath: Buffer.alloc(0),
    size: type === 'file' ? (node.size ?? 0) : 0,
    mode: (node.mode ?? 0o755) & 0o777,
    mtime: mtime !== undefined && Number.isFinite(mtime) ? mtime : Date.now() / 1000,
    body,
  };
}

/**
 * Where the memory bench writes its millions of empty files: the bench's work folder when its file
 * system has inodes to spare, else (ten million files) a loop-mounted ext4 image made for the run with
 * one inode per file, so that the bench never uses up the inodes of the machine's own file systems.
 * Disposing of it unmounts and deletes the image.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Place extends AsyncDisposable {
  path: string;
}

export async function manyFilesPlace(work: string, files: number): Promise<Place> {
  const here = path.join(work, 'many-files');
  await mkdir(here, { recursive: true });
  const { ffree } = await statfs(here);
  if (files * 1.01 + 100_000 < ffree / 2) return { path: here, [Symbol.asyncDispose]: () => rm(here, { recursive: true, force: true }) };
  if (process.getuid?.() !== 0) throw new Error(`${files} files would use most of the ${ffree} free inodes under ${work}; run the bench as root (it mounts an ext4 image for them) or set TMPDIR to a file system with more`);
  const image = path.join(work, 'many-files.ext4');
  // One inode a file and a folder of 1,000, an inode per 1 KiB block: a sparse image of that size
  // (about 10 GiB for ten million files) of which only the inodes used and the folders take space.
  const inodes = Math.ceil(files * 1.002) + 1000;
  await run('truncate', ['-s', `${Math.ceil(inodes / 1024) + 64}M`, image]);
  await run('mke2fs', ['-q', '-t', 'ext4', '-b', '1024', '-i', '1024', '-I', '128', '-O', '^has_journal', '-E', 'lazy_itable_init=1', image]);
  await run('mount', ['-o', 'loop,noatime', image, here]);
  return {
    path: here,
    async [Symbol.asyncDispose]() {
      await run('umount', [here]).catch(() => run('umount', ['-l', here]));
      await rm(image, { force: true });
      await rm(here, { recursive: true, force: true });
    },
  };
}

/** Bench data made by the bench itself: a few large files and thousands of small ones. */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomFillSync } from 'node:crypto';

export interface DatasetPlan {
  largeFiles: number;
  largeBytes: number;
  smallFiles: number;
  smallBytes: number;
}

/** About `totalMb` MiB: 80 % in large files, 20 % in small ones. */
export function planDataset(totalMb: number, smallFiles: number): DatasetPlan {
  const total = totalMb * 1024 * 1024;
  return { largeFiles: 4, largeBytes: Math.floor((total * 0.8) / 4), smallFiles, smallBytes: Math.max(1, Math.floor((total * 0.2) / smallFiles)) };
}

export async function writeDataset(root: string, plan: DatasetPlan): Promise<void> {
  await mkdir(path.join(root, 'large'), { recursive: true });
  const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
  for (let i = 0; i < plan.largeFiles; i++) {
    const handle = await open(path.join(root, 'large', `image-${i}.raw`), 'w');
    for (let written = 0; written < plan.largeBytes; written += chunk.length) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, Math.min(chunk.length, plan.largeBytes - written));
    }
    await handle.close();
  }
  const small = Buffer.allocUnsafe(plan.smallBytes);
  for (let i = 0; i < plan.smallFiles; i++) {
    const dir = path.join(root, 'small', `d${String(Math.floor(i / 500)).padStart(4, '0')}`);
    if (i % 500 === 0) await mkdir(dir, { recursive: true });
    randomFillSync(small);
    await writeFile(path.join(dir, `letter-${i}.txt`), small);
  }
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Many empty files (1,000 a folder) and their manifest, written together: names are zero-padded so
 * that creation order is the manifest's sorted order, and nothing has to hash ten million files to
 * make the manifest the memory target is measured with. Synchronous: about 3x faster than awaiting.
 */
export function writeManyFiles(root: string, count: number, manifestFile: string): void {
  const width = String(Math.max(0, Math.ceil(count / 1000) - 1)).length;
  const manifest = openSync(manifestFile, 'w');
  try {
    let lines = '';
    for (let i = 0; i < count; i++) {
      const relative = `d${String(Math.floor(i / 1000)).padStart(width, '0')}/f${String(i % 1000).padStart(3, '0')}`;
      if (i % 1000 === 0) mkdirSync(path.join(root, path.dirname(relative)), { recursive: true });
      closeSync(openSync(path.join(root, relative), 'wx'));
      lines += `${EMPTY_SHA256}  ${relative}\n`;
      if (lines.length > 64 * 1024) {
        writeSync(manifest, lines);
        lines = '';
      }
    }
    writeSync(manifest, lines);
  } finally {
    closeSync(manifest);
  }
}

/** Small backups made by code: a tree, its tar archive, its manifest, and scenario files. */
import { spawnSync } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { writeManifest } from '../../harness/manifest/create.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';

export const SAMPLE_FILES: Record<string, string | Buffer> = {
  'README.txt': 'department share\n',
  '紹介状/紹介状_0001.txt': '紹介状 No.0001\n傷病名: 高血圧症\n',
  '紹介状/紹介状_0002.txt': '紹介状 No.0002\n傷病名: 2型糖尿病\n',
  'scans/scan 001.pdf': '%PDF-1.4\n% scan\n%%EOF\n',
  'a-b.txt': 'sorts before a/\n',
  'a/b.txt': 'inside a\n',
  'images/big.raw': Buffer.alloc(3 * 1024 * 1024 + 17, 7),
};

export async function writeTree(root: string, files: Record<string, string | Buffer> = SAMPLE_FILES): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

export async function makeArchive(tree: string, file: string, time?: Date): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await tar.c({ gzip: file.endsWith('gz'), cwd: tree, file, portable: true }, ['.']);
  if (time) await utimes(file, time, time);
}

export async function makeManifest(tree: string, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await using pool = new HashPool({ workers: 2 });
  const out = createWriteStream(file);
  await writeManifest(tree, out, pool);
  out.end();
  await finished(out);
}

export async function writeScenario(file: string, yaml: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, yaml);
  return file;
}

/** GNU tar, for archives node-tar refuses to make (entries that escape the root). */
export function gnuTar(args: string[], cwd: string): void {
  const result = spawnSync('tar', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar ${args.join(' ')} failed: ${result.stderr}`);
}

/**
 * Makes the demo: a department file share (referral letters, scanned PDFs, CSV exports, a few large
 * image files, Japanese names and names with spaces), nightly tar.gz backups of it, a folder
 * snapshot, one backup with a flipped byte in one file, and the manifest of the share's current state.
 * Deterministic: the same seed gives the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { cp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import * as tar from 'tar';
import { writeManifest } from '../manifest/create.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { seededRandom } from '../drill/seeded-random.ts';

export interface DemoLayout {
  root: string;
  share: string;
  manifest: string;
  nightly: string;
  snapshots: string;
  damaged: string;
  /** The file whose byte is flipped in the damaged backup, relative to the share. */
  damagedFile: string;
}

export function demoLayout(root: string): DemoLayout {
  return {
    root,
    share: path.join(root, 'share'),
    manifest: path.join(root, 'expected', 'share.sha256'),
    nightly: path.join(root, 'backups', 'nightly'),
    snapshots: path.join(root, 'backups', 'snapshots'),
    damaged: path.join(root, 'backups', 'damaged'),
    damagedFile: '紹介状/2026/紹介状_0007.txt',
  };
}

export interface DemoOptions {
  /** Number of referral letters (the bulk of small files). */
  letters?: number;
  /** Size of each large image file. */
  imageBytes?: number;
  now?: Date;
}

const HOUR = 3_600_000;

export async function generateDemo(root: string, options: DemoOptions = {}): Promise<DemoLayout> {
  const layout = demoLayout(root);
  const now = options.now ?? new Date();
  await rm(root, { recursive: true, force: true });
  await mkdir(path.dirname(layout.manifest), { recursive: true });
  const random = seededRandom(20211031);

  // Three nightly points: the share grows a little each night.
  const nights = [51, 27, 3].map((hoursAgo) => new Date(now.getTime() - hoursAgo * HOUR));
  for (const [night, time] of nights.entries()) {
    await writeShare(layout.share, random, { letters: (options.letters ?? 240) + night * 10, imageBytes: options.imageBytes ?? 2 * 1024 * 1024, night });
    const stamp = time.toISOString().slice(0, 10).replace(/-/g, '') + `-${night}`;
    await archive(layout.share, path.join(layout.nightly, `share-${stamp}.tar.gz`), time);
    const snapshot = path.join(layout.snapshots, `share-${stamp}`);
    await cp(layout.share, snapshot, { recursive: true });
    await utimes(snapshot, time, time);
  }
  {
    await using pool = new HashPool();
    const out = createWriteStream(layout.manifest);
    await writeManifest(layout.share, out, pool);
    out.end();
    await finished(out);
  }

  // The damaged copy: the latest night, with one byte of one letter flipped (bit rot, a bad disk).
  const damagedTree = path.join(root, 'damaged-tree');
  await cp(layout.share, damagedTree, { recursive: true });
  const victim = path.join(damagedTree, layout.damagedFile);
  const bytes = await readFile(victim);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  await writeFile(victim, bytes);
  await archive(damagedTree, path.join(layout.damaged, `share-damaged.tar.gz`), nights[2]!);
  await rm(damagedTree, { recursive: true, force: true });
  return layout;
}

async function writeShare(share: string, random: () => number, plan: { letters: number; imageBytes: number; night: number }): Promise<void> {
  const letters = path.join(share, '紹介状', '2026');
  const scans = path.join(share, 'scans');
  const exports = path.join(share, 'exports');
  const images = path.join(share, 'images');
  await Promise.all([letters, scans, exports, images].map((dir) => mkdir(dir, { recursive: true })));
  for (let i = 1; i <= plan.letters; i++) {
    const id = String(i).padStart(4, '0');
    await writeFile(path.join(letters, `紹介状_${id}.txt`), letter(id, random));
  }
  for (let i = 1; i <= 20; i++) {
    await writeFile(path.join(scans, `scan ${String(i).padStart(3, '0')}.pdf`), pdf(`Referral scan ${i}`));
  }
  const rows = ['patient_id,visit_date,department,amount_jpy'];
  for (let i = 0; i < 500 + plan.night * 50; i++) rows.push(`P${100000 + i},2026-11-${String((i % 28) + 1).padStart(2, '0')},内科,${Math.floor(random() * 50000)}`);
  await writeFile(path.join(exports, `billing export ${plan.night}.csv`), rows.join('\n') + '\n');
  for (let i = 1; i <= 3; i++) {
    const image = Buffer.alloc(plan.imageBytes);
    for (let j = 0; j < image.length; j += 4) image.writeUInt32LE((random() * 0xffffffff) >>> 0, j);
    await writeFile(path.join(images, `xray-${i}.raw`), image);
  }
  await writeFile(path.join(share, 'README (department share).txt'), 'Department file share of the referral office.\n地域連携室の共有フォルダ。\n');
}

function letter(id: string, random: () => number): string {
  const doctor = ['佐藤', '鈴木', '高橋', '田中', '伊藤'][Math.floor(random() * 5)];
  return [
    `紹介状 No.${id}`,
    `紹介先: 徳島県立中央病院 ${doctor} 先生`,
    '傷病名: 2型糖尿病、高血圧症',
    '紹介目的: 精査加療のお願い',
    `既往歴: ${'経過観察中。'.repeat(1 + Math.floor(random() * 20))}`,
    '',
  ].join('\n');
}

function pdf(title: string): string {
  return `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${title}\ntrailer << /Root 1 0 R >>\n%%EOF\n`;
}

async function archive(tree: string, file: string, time: Date): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await tar.c({ gzip: true, cwd: tree, file, portable: true }, ['.']);
  await utimes(file, time, time);
}


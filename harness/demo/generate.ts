/**
 * Makes the demo: a department file share (referral letters, scanned PDFs, CSV exports, a few large
 * image files, Japanese names and names with spaces) that changes between two nights, and what its
 * jobs make each night: the tar.gz backup job writes the share's manifest into the share just before
 * it archives it (.restore-drill.sha256, as README's cron line does), and the NAS keeps a folder
 * snapshot whose manifest a job writes on this host (expected/snapshots/<snapshot>.sha256). Night 2
 * adds letters, changes a letter, replaces the billing export and deletes a scan. Also one backup of
 * night 2 with a flipped byte in one letter. Deterministic: the same seed gives the same bytes.
 */
import { appendFile, cp, mkdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { HashPool } from '../manifest/hash-pool.ts';
import { writeManifestFile } from '../manifest/write-file.ts';
import { seededRandom } from '../drill/seeded-random.ts';

export interface DemoLayout {
  root: string;
  share: string;
  /** The manifest the backup job writes into the share, relative to it. */
  insideManifest: string;
  /** The manifests of the snapshots, one a snapshot: <snapshot folder name>.sha256. */
  snapshotManifests: string;
  nightly: string;
  snapshots: string;
  damaged: string;
  /** The file whose byte is flipped in the damaged backup, relative to the share. */
  damagedFile: string;
  /** The nights, oldest first: each one's time and its tar backup's and snapshot's point ids. */
  nights: { time: Date; archive: string; snapshot: string }[];
}

export function demoLayout(root: string): DemoLayout {
  return {
    root,
    share: path.join(root, 'share'),
    insideManifest: '.restore-drill.sha256',
    snapshotManifests: path.join(root, 'expected', 'snapshots'),
    nightly: path.join(root, 'backups', 'nightly'),
    snapshots: path.join(root, 'backups', 'snapshots'),
    damaged: path.join(root, 'backups', 'damaged'),
    damagedFile: '紹介状/2026/紹介状_0007.txt',
    nights: [],
  };
}

export interface DemoOptions {
  /** Number of referral letters on night 1 (the bulk of small files). */
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
  await mkdir(layout.snapshotManifests, { recursive: true });
  const random = seededRandom(20211031);
  await using pool = new HashPool();

  // Two nights, a day apart; both within the scenarios' 26h RPO when drilled right away.
  const times = [25, 1].map((hoursAgo) => new Date(now.getTime() - hoursAgo * HOUR));
  for (const [night, time] of times.entries()) {
    if (night === 0) await writeShare(layout.share, random, { letters: options.letters ?? 240, imageBytes: options.imageBytes ?? 2 * 1024 * 1024 });
    else await changeShare(layout.share, random, { from: options.letters ?? 240, added: 10 });
    const stamp = `share-${time.toISOString().slice(0, 10).replace(/-/g, '')}-${night}`;
    // The backup job: the manifest into the share, then the archive of it.
    await writeManifestFile(layout.share, path.join(layout.share, layout.insideManifest), pool);
    await archive(layout.share, path.join(layout.nightly, `${stamp}.tar.gz`), time);
    // The NAS snapshot, and its manifest written on this host.
    const snapshot = path.join(layout.snapshots, stamp);
    await cp(layout.share, snapshot, { recursive: true });
    await writeManifestFile(snapshot, path.join(layout.snapshotManifests, `${stamp}.sha256`), pool);
    await utimes(snapshot, time, time);
    layout.nights.push({ time, archive: `${stamp}.tar.gz`, snapshot: stamp });
  }

  // The damaged copy: the latest night, with one byte of one letter flipped (bit rot, a bad disk).
  const damagedTree = path.join(root, 'damaged-tree');
  await cp(layout.share, damagedTree, { recursive: true });
  const victim = path.join(damagedTree, layout.damagedFile);
  const bytes = await readFile(victim);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  await writeFile(victim, bytes);
  await archive(damagedTree, path.join(layout.damaged, `share-damaged.tar.gz`), times[1]!);
  await rm(damagedTree, { recursive: true, force: true });
  return layout;
}

async function writeShare(share: string, random: () => number, plan: { letters: number; imageBytes: number }): Promise<void> {
  const letters = path.join(share, '紹介状', '2026');
  const scans = path.join(share, 'scans');
  const exports = path.join(share, 'exports');
  const images = path.join(share, 'images');
  await Promise.all([letters, scans, exports, images].map((dir) => mkdir(dir, { recursive: true })));
  await writeLetters(letters, 1, plan.letters, random);
  for (let i = 1; i <= 20; i++) {
    await writeFile(path.join(scans, `scan ${String(i).padStart(3, '0')}.pdf`), pdf(`Referral scan ${i}`));
  }
  await writeExport(exports, 0, random);
  for (let i = 1; i <= 3; i++) {
    const image = Buffer.alloc(plan.imageBytes);
    for (let j = 0; j < image.length; j += 4) image.writeUInt32LE((random() * 0xffffffff) >>> 0, j);
    await writeFile(path.join(images, `xray-${i}.raw`), image);
  }
  await writeFile(path.join(share, 'README (department share).txt'), 'Department file share of the referral office.\n地域連携室の共有フォルダ。\n');
}

/** A day's work on the share: letters added, one letter answered, the export replaced, a scan deleted. */
async function changeShare(share: string, random: () => number, plan: { from: number; added: number }): Promise<void> {
  const letters = path.join(share, '紹介状', '2026');
  await writeLetters(letters, plan.from + 1, plan.from + plan.added, random);
  await appendFile(path.join(letters, '紹介状_0003.txt'), '返書受領: 2026-12-01\n');
  await unlink(path.join(share, 'exports', 'billing export 0.csv'));
  await writeExport(path.join(share, 'exports'), 1, random);
  await unlink(path.join(share, 'scans', 'scan 020.pdf'));
}

async function writeLetters(folder: string, first: number, last: number, random: () => number): Promise<void> {
  for (let i = first; i <= last; i++) {
    const id = String(i).padStart(4, '0');
    await writeFile(path.join(folder, `紹介状_${id}.txt`), letter(id, random));
  }
}

async function writeExport(folder: string, night: number, random: () => number): Promise<void> {
  const rows = ['patient_id,visit_date,department,amount_jpy'];
  for (let i = 0; i < 500 + night * 50; i++) rows.push(`P${100000 + i},2026-11-${String((i % 28) + 1).padStart(2, '0')},内科,${Math.floor(random() * 50000)}`);
  await writeFile(path.join(folder, `billing export ${night}.csv`), rows.join('\n') + '\n');
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


/**
 * A hospital department share made by code: real PDFs, DICOM, PNG/JPEG, DOCX/XLSX/ZIP, SQLite, CSV
 * with Japanese text (UTF-8 and Shift_JIS), PostgreSQL dumps, gzip/zstd-compressed logs. Points of it
 * differ as a share does from night to night (a few letters edited, one added, logs grown).
 * Tools that make some formats (cjpeg, img2dcm, iconv, PostgreSQL) are used where present; what was
 * made without them is listed in `skipped`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import zlib from 'node:zlib';
import { dicom, docx, greyPixels, pdf, png, Prng, xlsx, zip } from './formats.ts';

export interface Corpus {
  files: string[];
  /** Formats left out because a tool is missing. */
  skipped: string[];
}

const SURNAMES = ['山田', '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '中村', '小林', '加藤'];
const GIVEN = ['太郎', '花子', '一郎', '美咲', '健太', '陽子', '大輔', '由美'];

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function write(root: string, relative: string, data: Buffer | string, files: string[]): void {
  const target = path.join(root, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, data);
  files.push(relative);
}

function letter(n: number, variant: number): string {
  const name = `${SURNAMES[n % SURNAMES.length]} ${GIVEN[n % GIVEN.length]}`;
  const lines = [
    `紹介状 No.${String(n).padStart(4, '0')}`,
    `患者氏名: ${name} 様`,
    '平素より大変お世話になっております。下記の患者様をご紹介申し上げます。',
    `診断名: ${['高血圧症', '2型糖尿病', '慢性腎臓病', '心房細動'][n % 4]}`,
    '既往歴: 特記事項なし。内服薬は別紙のとおりです。',
    ...Array.from({ length: 20 + (n % 15) }, (_, i) => `経過 ${i + 1}: 外来にて経過観察中。血圧 ${120 + ((n + i) % 30)}/${70 + ((n * i) % 20)} mmHg、症状の増悪なし。`),
  ];
  if (variant > 0 && n <= variant * 2) lines.push(`追記 (${variant}): 検査結果を追加しました。`);
  return lines.join('\n') + '\n';
}

function logText(day: number, lines: number): string {
  return Array.from({ length: lines }, (_, i) => `2026-11-${String(day).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}Z INFO order-gateway request id=${day * 10000 + i} patient=${100000 + ((i * 37) % 9000)} status=200 ms=${(i * 13) % 400}`).join('\n') + '\n';
}

export function makePoint(root: string, variant: number, options: { pgDumps?: PgDumps } = {}): Corpus {
  const files: string[] = [];
  const skipped: string[] = [];
  const prng = new Prng(1234);
  mkdirSync(root, { recursive: true });

  // Text: letters (Japanese, UTF-8), a README, a how-to whose name is close to a ransom note's.
  const letters = 24 + variant;
  for (let n = 1; n <= letters; n++) write(root, `紹介状/2026/紹介状_${String(n).padStart(4, '0')}.txt`, letter(n, variant), files);
  write(root, 'README (department share).txt', 'この共有フォルダは地域連携室の紹介状、検査画像、会計の書き出しを置く場所です。\n', files);
  write(root, 'how-to-restore-the-printer.txt', 'プリンタが止まったら: 電源を切り、10秒待って入れ直してください。\n', files);
  write(root, 'docs/changelog.README.txt', 'Changes to the share layout, newest first.\n', files);
  write(root, 'docs/settings.json', JSON.stringify({ share: '地域連携室', retention_days: 30, owners: SURNAMES.slice(0, 3) }, null, 2), files);
  write(root, 'docs/orders.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<orders>${Array.from({ length: 200 }, (_, i) => `<order id="${i}" patient="${SURNAMES[i % 10]}" test="HbA1c"/>`).join('\n')}</orders>\n`, files);

  // CSV with Japanese text: UTF-8, and Shift_JIS as many hospital systems export it.
  const csv = ['患者ID,氏名,診療科,請求額', ...Array.from({ length: 400 }, (_, i) => `${100000 + i},${SURNAMES[i % 10]} ${GIVEN[i % 8]},${['内科', '外科', '眼科', '整形外科'][i % 4]},${(i * 1234) % 50000}`)].join('\r\n') + '\r\n';
  write(root, 'exports/billing export.csv', csv, files);
  if (has('iconv')) write(root, 'exports/請求_sjis.csv', execFileSync('iconv', ['-f', 'UTF-8', '-t', 'SHIFT_JIS'], { input: csv }), files);
  else skipped.push('Shift_JIS CSV (iconv missing)');

  // PDFs: text and a deflated scan image (high entropy inside, which the PDF rules must tolerate).
  for (let n = 1; n <= 8; n++) {
    const size = 96 + n * 8;
    write(root, `scans/scan ${String(n).padStart(3, '0')}.pdf`, pdf(`Scan ${n}`, [`Referral scan ${n}`, 'Radiology department'], { width: size, height: size, pixels: greyPixels(size, size, prng) }), files);
  }

  // Images: PNG by code, JPEG by cjpeg (libjpeg-turbo).
  for (let n = 1; n <= 4; n++) write(root, `images/photo-${n}.png`, png(160, 120, greyPixels(160, 120, prng)), files);
  if (has('cjpeg')) {
    for (let n = 1; n <= 4; n++) {
      const pixels = greyPixels(200, 150, prng);
      const pgm = Buffer.concat([Buffer.from('P5\n200 150\n255\n'), pixels]);
      write(root, `images/wound-${n}.jpg`, execFileSync('cjpeg', ['-quality', '85'], { input: pgm }), files);
    }
  } else skipped.push('JPEG (cjpeg missing: apt-get install libjpeg-turbo-progs)');

  // DICOM: explicit VR little endian by code; a JPEG-compressed one by dcmtk's img2dcm.
  for (let n = 1; n <= 6; n++) {
    write(root, `pacs/CT${String(n).padStart(4, '0')}.dcm`, dicom({ patientName: 'YAMADA^TARO', patientId: `P${1000 + n}`, instance: n, rows: 64, columns: 64 + n * 8, prng }), files);
  }
  if (has('img2dcm') && has('cjpeg')) {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'corpus-dcm-'));
    try {
      const jpg = path.join(tmp, 'in.jpg');
      writeFileSync(jpg, execFileSync('cjpeg', ['-quality', '90'], { input: Buffer.concat([Buffer.from('P5\n128 128\n255\n'), greyPixels(128, 128, prng)]) }));
      const out = path.join(tmp, 'out.dcm');
      execFileSync('img2dcm', ['-q', jpg, out]);
      write(root, 'pacs/XR0001-jpeg.dcm', readFileSync(out), files);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else skipped.push('JPEG-compressed DICOM (img2dcm from dcmtk missing)');

  // Office documents and a zip whose entry does not compress (stored random bytes).
  for (let n = 1; n <= 3; n++) write(root, `office/紹介状テンプレート${n}.docx`, docx([`紹介状テンプレート ${n}`, ...Array.from({ length: 40 }, (_, i) => `第${i + 1}項 記載例: ${SURNAMES[i % 10]}様の経過`)]), files);
  write(root, 'office/外来予約.xlsx', xlsx(Array.from({ length: 120 }, (_, i) => [`${100000 + i}`, `${SURNAMES[i % 10]} ${GIVEN[i % 8]}`, `2026-12-${String((i % 28) + 1).padStart(2, '0')}`])), files);
  write(root, 'archive/keys-escrow.zip', zip([{ name: 'escrow.bin', data: new Prng(77).bytes(20000), store: true }]), files);

  // SQLite (node:sqlite): rows with Japanese text and small blobs.
  const dbFile = path.join(root, 'db/records.sqlite');
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const db = new DatabaseSync(dbFile);
  db.exec('CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT, dept TEXT, note TEXT, thumb BLOB)');
  const insert = db.prepare('INSERT INTO patients (id, name, dept, note, thumb) VALUES (?, ?, ?, ?, ?)');
  for (let i = 0; i < 600 + variant * 5; i++) insert.run(i, `${SURNAMES[i % 10]} ${GIVEN[i % 8]}`, ['内科', '外科'][i % 2]!, `経過良好 ${i}`, new Prng(i + 1).bytes(64));
  db.close();
  files.push('db/records.sqlite');

  // PostgreSQL dumps: real ones where a server could be started, else a plain dump written as pg_dump does.
  if (options.pgDumps) {
    write(root, 'db/billing.dump', options.pgDumps.custom, files);
    write(root, 'db/billing.sql', options.pgDumps.plain, files);
  } else {
    write(root, 'db/billing.sql', plainDump(), files);
    skipped.push('PostgreSQL custom-format dump (no PostgreSQL server to dump from)');
  }

  // Logs: the current one as text, older ones gzip- and zstd-compressed.
  write(root, 'logs/order-gateway.log', logText(25, 300 + variant * 40), files);
  for (let day = 20; day <= 23; day++) write(root, `logs/order-gateway-2026-11-${day}.log.gz`, zlib.gzipSync(logText(day, 2000)), files);
  const zstd = (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
  if (zstd) write(root, 'logs/order-gateway-2026-11-24.log.zst', zstd(Buffer.from(logText(24, 2000))), files);
  else skipped.push('zstd log (this Node has no zstd)');

  // Of unknown type: raw detector data (judged by name only).
  write(root, 'images/xray-1.raw', new Prng(5).bytes(30000), files);
  return { files, skipped };
}

function plainDump(): string {
  return [
    '--',
    '-- PostgreSQL database dump',
    '--',
    '',
    "SET statement_timeout = 0;",
    "SET client_encoding = 'UTF8';",
    '',
    'CREATE TABLE public.invoices (id integer NOT NULL, patient text, amount integer);',
    '',
    'COPY public.invoices (id, patient, amount) FROM stdin;',
    ...Array.from({ length: 500 }, (_, i) => `${i}\t${SURNAMES[i % 10]} ${GIVEN[i % 8]}\t${(i * 977) % 90000}`),
    '\\.',
    '',
    '--',
    '-- PostgreSQL database dump complete',
    '--',
    '',
  ].join('\n');
}

export interface PgDumps {
  custom: Buffer;
  plain: Buffer;
}

/**
 * Real pg_dump output (custom and plain format) from a throwaway PostgreSQL cluster on a Unix socket,
 * or undefined where PostgreSQL's server programs or a postgres user are missing.
 */
export function makePgDumps(): PgDumps | undefined {
  const bin = findPgBin();
  if (!bin || spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'corpus-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const asPg = (cmd: string, args: string[], input?: string) => {
    const run = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] as const : [path.join(bin, cmd), args] as const;
    return execFileSync(run[0], run[1] as string[], { input, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  };
  const data = path.join(dir, 'data');
  try {
    asPg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
    asPg('pg_ctl', ['-D', data, '-o', `-c listen_addresses='' -c unix_socket_directories=${dir}`, '-w', 'start', '-l', path.join(dir, 'log')]);
    try {
      asPg('psql', ['-h', dir, '-U', 'postgres', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE TABLE invoices (id int primary key, patient text, amount int); INSERT INTO invoices SELECT i, \'山田 太郎 \' || i, (i * 977) % 90000 FROM generate_series(1, 2000) i;']);
      const custom = asPg('pg_dump', ['-h', dir, '-U', 'postgres', '-Fc', 'postgres']);
      const plain = asPg('pg_dump', ['-h', dir, '-U', 'postgres', '-Fp', 'postgres']);
      return { custom, plain };
    } finally {
      asPg('pg_ctl', ['-D', data, '-w', '-m', 'fast', 'stop']);
    }
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function findPgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(base, v, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_dump')) && existsSync(path.join(bin, 'psql'))) return bin;
  }
  return undefined;
}

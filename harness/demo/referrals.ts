/**
 * The referrals demo (地域連携室): the referral office's file share (referral letters, reply reports,
 * the fax routing configuration), backed up nightly with borg. Two archives: the night before last
 * and last night. The share is written on the host; borg runs in a sandbox (restore-drill/base, or
 * the local sandbox where borg is installed on this host).
 */
import { chmod, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { writeManifest } from '../manifest/create.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import { shellCommand } from '../shell.ts';
import { makeInSandbox } from './work-sandbox.ts';

export interface ReferralsLayout {
  root: string;
  repository: string;
  passwordFile: string;
  manifest: string;
  /** The expected fax routing configuration (compared as text). */
  faxRouting: string;
  archives: { name: string; time: Date }[];
  letters: number;
}

const HOUR = 3_600_000;
export const FAX_ROUTING = 'settings/fax-routing.conf';

export function referralsLayout(root: string): ReferralsLayout {
  return {
    root,
    repository: path.join(root, 'repo'),
    passwordFile: path.join(root, 'borg-passphrase.txt'),
    manifest: path.join(root, 'expected', 'referrals.sha256'),
    faxRouting: path.join(root, 'expected', 'fax-routing.conf'),
    archives: [],
    letters: 0,
  };
}

export async function generateReferrals(driver: SandboxDriver, root: string, options: { now?: Date; letters?: number; password?: string } = {}): Promise<ReferralsLayout> {
  const layout = referralsLayout(root);
  const now = options.now ?? new Date();
  const password = options.password ?? 'demo-referrals-borg-passphrase';
  const work = path.join(root, 'work');
  await mkdir(path.dirname(layout.manifest), { recursive: true });
  await writeFile(layout.passwordFile, password + '\n');
  await chmod(layout.passwordFile, 0o600);
  const nights = [
    { name: `share-${stamp(new Date(now.getTime() - 27 * HOUR))}`, time: new Date(now.getTime() - 27 * HOUR), letters: options.letters ?? 60 },
    { name: `share-${stamp(new Date(now.getTime() - 3 * HOUR))}`, time: new Date(now.getTime() - 3 * HOUR), letters: (options.letters ?? 60) + 12 },
  ];
  for (const [index, night] of nights.entries()) await writeShare(path.join(work, `night-${index}`), night.letters, night.time);
  const last = path.join(work, `night-${nights.length - 1}`);
  await writeFile(layout.faxRouting, faxRouting());
  {
    await using pool = new HashPool();
    const out = createWriteStream(layout.manifest);
    await writeManifest(last, out, pool);
    out.end();
    await finished(out);
  }
  const env = { BORG_PASSPHRASE: password, BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes' };
  await makeInSandbox(
    driver,
    'restore-drill/base:latest',
    (sandbox) => [
      { run: 'export BORG_BASE_DIR="$PWD/borg-home" && borg init -e repokey out/repo', env },
      ...nights.map((night, index) => ({
        // --timestamp is UTC; archives hold paths relative to the share's top folder.
        run: `export BORG_BASE_DIR="$PWD/borg-home" && repo="$PWD/out/repo" && cd ${shellCommand([sandbox.backupPath(path.join(work, `night-${index}`))])} && borg create --timestamp ${night.time.toISOString().slice(0, 19)} "$repo::${night.name}" .`,
        env,
      })),
    ],
    root,
    'referrals',
    [work],
  );
  await rm(work, { recursive: true, force: true });
  layout.archives = nights.map(({ name, time }) => ({ name, time }));
  layout.letters = nights[nights.length - 1]!.letters;
  return layout;
}

async function writeShare(share: string, letters: number, time: Date): Promise<void> {
  const letterDir = path.join(share, '紹介状', '2026');
  const replies = path.join(share, '返書');
  await Promise.all([letterDir, replies, path.join(share, 'settings')].map((dir) => mkdir(dir, { recursive: true })));
  for (let i = 1; i <= letters; i++) {
    const id = String(i).padStart(4, '0');
    const file = path.join(letterDir, `紹介状_${id}.txt`);
    await writeFile(file, `紹介状 No.${id}\n紹介先: 徳島県立中央病院\n紹介目的: 精査加療のお願い\n${'経過観察中。'.repeat(1 + (i % 17))}\n`);
    // Letters were written over the weeks before the backup; the newest half an hour before it.
    const written = new Date(time.getTime() - 30 * 60_000 - (letters - i) * 6 * HOUR);
    await utimes(file, written, written);
  }
  for (let i = 1; i <= Math.ceil(letters / 4); i++) {
    const file = path.join(replies, `返書_${String(i).padStart(4, '0')}.txt`);
    await writeFile(file, `返書 No.${i}\nご紹介ありがとうございました。\n`);
    const written = new Date(time.getTime() - 2 * HOUR - i * 12 * HOUR);
    await utimes(file, written, written);
  }
  await writeFile(path.join(share, FAX_ROUTING), faxRouting());
}

function faxRouting(): string {
  return ['# fax routing of the referral office (地域連携室)', 'incoming 088-000-0001 -> 紹介状/2026', 'incoming 088-000-0002 -> 返書', 'retention 5y', ''].join('\n');
}

function stamp(time: Date): string {
  return time.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
}

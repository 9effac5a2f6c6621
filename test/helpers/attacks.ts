/**
 * Simulated ransomware attacks on a copy of a corpus point, each as real malware does it: whole files
 * overwritten by random bytes, AES-encryption of the first blocks only (intermittent, fast mode), files
 * encrypted and renamed with an extension, and ransom notes left in every folder.
 */
import { createCipheriv } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Prng } from './formats.ts';

export type AttackKind =
  | 'overwrite-random'
  | 'encrypt-first-4k'
  | 'encrypt-first-1k'
  | 'encrypt-stripes'
  | 'encrypt-after-header'
  | 'encrypt-rename-known'
  | 'encrypt-rename-random'
  | 'encrypt-one-in-five'
  | 'notes-only';

export const ATTACKS: AttackKind[] = ['overwrite-random', 'encrypt-first-4k', 'encrypt-first-1k', 'encrypt-stripes', 'encrypt-after-header', 'encrypt-rename-known', 'encrypt-rename-random', 'encrypt-one-in-five', 'notes-only'];

export interface AttackOutcome {
  /** Paths (after renaming) whose content or name the attack changed, and notes added. */
  touched: string[];
  notes: string[];
}

const KEY = Buffer.alloc(32, 7);

function encrypt(data: Buffer, nonce: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(nonce, 12);
  const cipher = createCipheriv('aes-256-ctr', KEY, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function listFiles(root: string, relative = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, child));
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

function folders(files: string[]): string[] {
  return [...new Set(files.map((f) => path.posix.dirname(f)))];
}

export function attack(root: string, kind: AttackKind): AttackOutcome {
  const files = listFiles(root);
  const touched: string[] = [];
  const notes: string[] = [];
  const prng = new Prng(99);
  files.forEach((relative, index) => {
    const file = path.join(root, relative);
    const data = readFileSync(file);
    switch (kind) {
      case 'overwrite-random':
        writeFileSync(file, prng.bytes(data.length));
        touched.push(relative);
        return;
      case 'encrypt-first-4k':
      case 'encrypt-first-1k': {
        const n = kind === 'encrypt-first-4k' ? 4096 : 1024;
        writeFileSync(file, Buffer.concat([encrypt(data.subarray(0, n), index), data.subarray(n)]));
        touched.push(relative);
        return;
      }
      case 'encrypt-stripes': {
        // 16 KiB encrypted, 16 KiB left, and so on, from the start (BlackCat-style intermittent mode).
        const out = Buffer.from(data);
        for (let at = 0; at < out.length; at += 32 * 1024) encrypt(out.subarray(at, at + 16 * 1024), index * 1000 + at).copy(out, at);
        writeFileSync(file, out);
        touched.push(relative);
        return;
      }
      case 'encrypt-after-header': {
        // Leaves the first 512 bytes (every header) alone and encrypts the rest: the hard case.
        writeFileSync(file, Buffer.concat([data.subarray(0, 512), encrypt(data.subarray(512), index)]));
        touched.push(relative);
        return;
      }
      case 'encrypt-rename-known':
      case 'encrypt-rename-random': {
        writeFileSync(file, encrypt(data, index));
        const suffix = kind === 'encrypt-rename-known' ? '.lockbit' : '.x7k2q9w1b';
        renameSync(file, `${file}${suffix}`);
        touched.push(`${relative}${suffix}`);
        return;
      }
      case 'encrypt-one-in-five':
        if (index % 5 !== 0) return;
        writeFileSync(file, encrypt(data, index));
        touched.push(relative);
        return;
      case 'notes-only':
        return;
    }
  });
  if (kind === 'notes-only' || kind === 'encrypt-rename-random') {
    const name = kind === 'notes-only' ? 'Restore-My-Files.txt' : 'x7k2q9w1b.README.txt';
    for (const folder of folders(files)) {
      const relative = folder === '.' ? name : `${folder}/${name}`;
      writeFileSync(path.join(root, relative), 'All your files are encrypted. To get them back, pay in bitcoin.\n');
      notes.push(relative);
    }
  }
  return { touched, notes };
}

export function sizeOf(root: string, relative: string): number {
  return statSync(path.join(root, relative)).size;
}

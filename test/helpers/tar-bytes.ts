/**
 * Tar archives written byte by byte, for entries no archiver makes on purpose: names that are not
 * UTF-8, links followed by entries through them, and gzip bombs (gzip members of zeros, concatenated,
 * so that gigabytes of zeros cost a few megabytes and never touch the disk uncompressed).
 */
import { gzipSync } from 'node:zlib';

export interface TarEntrySpec {
  name: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink';
  link?: string;
  data?: Buffer | string;
  /** A declared size with no data written here (the caller appends it): for bombs. */
  size?: number;
  mode?: number;
}

const TYPE_FLAG = { file: '0', directory: '5', symlink: '2', hardlink: '1' } as const;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block (names up to 100 bytes). */
export function tarHeader(spec: TarEntrySpec): Buffer {
  const block = Buffer.alloc(512);
  const name = Buffer.isBuffer(spec.name) ? spec.name : Buffer.from(spec.name);
  if (name.length > 100) throw new Error('tarHeader: names up to 100 bytes');
  name.copy(block, 0);
  const type = spec.type ?? 'file';
  const size = spec.size ?? (spec.data === undefined ? 0 : Buffer.byteLength(spec.data));
  block.write(octal(spec.mode ?? (type === 'directory' ? 0o755 : 0o644), 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  if (size >= 8 ** 11) {
    // base-256, as GNU tar writes sizes of 8 GiB and more
    block[124] = 0x80;
    block.writeBigUInt64BE(BigInt(size), 124 + 4);
  } else {
    block.write(octal(size, 12), 124, 'latin1');
  }
  block.write(octal(Math.floor(Date.UTC(2026, 10, 20) / 1000), 12), 136, 'latin1');
  block.write(TYPE_FLAG[type], 156, 'latin1');
  if (spec.link) block.write(spec.link, 157, 'utf8');
  block.write('ustar\u000000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'latin1');
  return block;
}

function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

/** A whole uncompressed archive of small entries. */
export function tarArchive(entries: TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(tarHeader(entry));
    if (entry.data !== undefined) {
      const data = Buffer.from(entry.data);
      parts.push(data, padding(data.length));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const ZEROS_MEMBER_BYTES = 64 * 1024 ** 2;

/**
 * A .tar.gz whose entries are each `entrySize` bytes of zeros (a multiple of 64 MiB, or less than it),
 * as concatenated gzip members: a few kilobytes per 64 MiB.
 */
export function gzipBomb(entries: { name: string; size: number }[]): Buffer {
  const zeroMembers = new Map<number, Buffer>();
  const zeros = (size: number) => {
    if (!zeroMembers.has(size)) zeroMembers.set(size, gzipSync(Buffer.alloc(size), { level: 9 }));
    return zeroMembers.get(size)!;
  };
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(gzipSync(tarHeader({ name: entry.name, size: entry.size })));
    let left = entry.size;
    while (left > 0) {
      const piece = Math.min(left, ZEROS_MEMBER_BYTES);
      parts.push(zeros(piece));
      left -= piece;
    }
    parts.push(gzipSync(padding(entry.size)));
  }
  parts.push(gzipSync(Buffer.alloc(1024)));
  return Buffer.concat(parts);
}

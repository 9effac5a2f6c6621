/**
 * File names are bytes. A name that is valid UTF-8 (nearly all) is kept as a string; one that is not (a
 * Shift_JIS name from an old NAS) keeps its raw bytes for identity, order and opening, and a display
 * form with the bytes that are not UTF-8 written as \xNN, never U+FFFD, so the operator can find it.
 */
import { isUtf8 } from 'node:buffer';

/** A relative path: `relative` is for display; `bytes`, when present, is its identity (not UTF-8). */
export interface PathKey {
  relative: string;
  bytes?: Buffer;
}

/** The bytes of a path. */
export function bytesOf(key: PathKey): Buffer {
  return key.bytes ?? Buffer.from(key.relative);
}

/** A path from its raw bytes: a plain string when they are UTF-8. */
export function pathKeyOf(bytes: Buffer): PathKey {
  if (isUtf8(bytes)) return { relative: bytes.toString('utf8') };
  return { relative: displayBytes(bytes), bytes: Buffer.from(bytes) };
}

/** The bytes as text: UTF-8 sequences as characters, every other byte as \xNN. */
export function displayBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length > 0 && i + length <= bytes.length && isUtf8(bytes.subarray(i, i + length))) {
      out += bytes.toString('utf8', i, i + length);
      i += length;
    } else {
      out += `\\x${lead.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

const OUTSIDE_UTF16_ORDER = /[\uD800-\uFFFF]/;

/** Bytewise (UTF-8) comparison of two relative paths, the order manifests are kept in. */
export function comparePaths(a: string, b: string): number {
  // JavaScript compares UTF-16 code units, which agrees with UTF-8 byte order below U+D800.
  if (!OUTSIDE_UTF16_ORDER.test(a) && !OUTSIDE_UTF16_ORDER.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Bytewise comparison of two path keys (the strings alone when both are UTF-8). */
export function comparePathKeys(a: PathKey, b: PathKey): number {
  if (!a.bytes && !b.bytes) return comparePaths(a.relative, b.relative);
  return Buffer.compare(bytesOf(a), bytesOf(b));
}

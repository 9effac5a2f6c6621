/** Byte-level measures of a sampled block: Shannon entropy and how much of it is text. */

/** Shannon entropy in bits per byte (0 to 8). */
export function shannonEntropy(block: Buffer): number {
  if (block.length === 0) return 0;
  const counts = new Uint32Array(256);
  for (const byte of block) counts[byte]!++;
  let entropy = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / block.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/**
 * The share of bytes that no text encoding in use here writes: NUL and the C0 controls other than
 * tab, newline, vertical tab, form feed, carriage return and ESC (ISO-2022-JP uses ESC), and DEL.
 * UTF-8, Shift_JIS and EUC-JP text all score 0; random bytes score about 0.11.
 */
export function controlShare(block: Buffer): number {
  if (block.length === 0) return 0;
  let controls = 0;
  for (const byte of block) if (isControl(byte)) controls++;
  return controls / block.length;
}

export function isControl(byte: number): boolean {
  return byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) || byte === 0x7f;
}

/** UTF-16 text has NULs in every other byte: it is recognised by its byte-order mark and left to entropy. */
export function hasUtf16Bom(head: Buffer): boolean {
  return head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff));
}

/** Entropy that n uniformly random bytes are expected to show (small blocks cannot reach 8). */
export function randomEntropy(n: number): number {
  if (n <= 0) return 0;
  // Expected number of distinct byte values and the Miller-Madow bias give a good estimate.
  return Math.max(0, Math.min(8, 8 - 255 / (2 * n * Math.LN2)));
}

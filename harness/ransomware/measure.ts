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
 * tab, newline, vertical tab, form feed, carriage return, SO/SI and ESC (the ISO-2022 encodings use
 * them), and DEL. UTF-8, Shift_JIS, EUC-JP and ISO-2022-JP text score 0; random bytes about 0.10.
 */
export function controlShare(block: Buffer): number {
  if (block.length === 0) return 0;
  let controls = 0;
  for (const byte of block) if (isControl(byte)) controls++;
  return controls / block.length;
}

export function isControl(byte: number): boolean {
  // Allowed: tab to carriage return, SO/SI (0x0e/0x0f, ISO-2022-KR/CN shifts) and ESC (ISO-2022-JP).
  return byte < 0x09 || (byte > 0x0f && byte < 0x20 && byte !== 0x1b) || byte === 0x7f;
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

/** The window a head is judged as text by. */
export const TEXT_HEAD = 512;

/**
 * Text in a wide encoding without a byte-order mark: UTF-16 has NULs in every other byte (one
 * parity), UTF-32 in three bytes of four. Random data has a NUL in one byte of 256 at any position.
 */
export function looksWideText(window: Buffer): boolean {
  if (window.length < 16) return false;
  const nul = [0, 0, 0, 0];
  const seen = [0, 0, 0, 0];
  for (let i = 0; i < window.length; i++) {
    seen[i % 4]!++;
    if (window[i] === 0) nul[i % 4]!++;
  }
  const share = nul.map((n, r) => n / seen[r]!);
  const even = (share[0]! + share[2]!) / 2;
  const odd = (share[1]! + share[3]!) / 2;
  if ((even > 0.4 && odd < 0.05) || (odd > 0.4 && even < 0.05)) return true;
  return share.filter((x) => x > 0.8).length >= 2;
}

/**
 * Whether a file starts with plain text (no control bytes in its first 512 bytes, or wide text).
 * Misnamed text files are common (dpkg keeps text files named *.gz, Tcl's message catalogues are
 * *.msg, dcmtk's DICOM dumps are *.dump); encrypted bytes are never text: 512 random bytes hold a
 * control byte with a probability of 1 - 10^-26.
 */
export function isTextHead(head: Buffer): boolean {
  const window = head.subarray(0, TEXT_HEAD);
  if (window.length === 0) return false;
  if (hasUtf16Bom(window) || looksWideText(window)) return true;
  for (const byte of window) if (isControl(byte)) return false;
  return true;
}

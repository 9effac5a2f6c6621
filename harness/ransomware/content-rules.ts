/**
 * The content rules: small objects, each judging one sampled file against what its name claims.
 * A rule returns evidence when the file breaks it; the first rule that fires is the one reported.
 */
import type { FileType } from './file-types.ts';
import { controlShare, hasUtf16Bom, isControl, isTextHead, looksWideText, randomEntropy, shannonEntropy } from './measure.ts';
import type { FileSample } from './sample.ts';

export interface Evidence {
  /** What the type requires, in words. */
  expected: string;
  /** The bytes found, in hex (at most 16), where they matter. */
  actualHex?: string;
  offset?: number;
  /** Bits per byte of the block judged. */
  entropy?: number;
  /** Share of control bytes in the block judged. */
  controlShare?: number;
}

export interface ContentRule {
  readonly id: 'content-header' | 'content-trailer' | 'not-text' | 'entropy';
  readonly describe: string;
  judge(type: FileType, sample: FileSample, settings: ContentSettings): Evidence | undefined;
}

export interface ContentSettings {
  /** Bits per byte at or above which a 4 KiB block counts as near random (smaller blocks: scaled down). */
  entropyThreshold: number;
  /** Share of control bytes above which a block of a text type is no longer text. */
  maxControlShare: number;
}

const HEX_SHOWN = 16;
const MIN_ENTROPY_BLOCK = 256;
const TEXT_WINDOW = 512;

function hexAt(bytes: Buffer, offset: number, length = HEX_SHOWN): string {
  return bytes.subarray(offset, offset + length).toString('hex');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The threshold for a block of n bytes: n random bytes cannot show 8 bits, so short blocks need less. */
export function thresholdFor(n: number, configured: number): number {
  return Math.min(configured, randomEntropy(n) - 0.3);
}

export const headerRule: ContentRule = {
  id: 'content-header',
  describe: 'the file does not start with the bytes its type always starts with',
  judge(type, sample) {
    if (type.headers.length === 0) return undefined;
    const head = sample.blocks[0]!.bytes;
    if (type.headers.some((s) => s.matches(head)) || isTextHead(head)) return undefined;
    const at = type.headers[0]!.offset ?? 0;
    return {
      expected: `${type.headers.map((s) => s.describe).join(' or ')} (or plain text, which encrypted data never is)`,
      actualHex: hexAt(head, at),
      offset: at,
      entropy: round(shannonEntropy(head)),
    };
  },
};

export const trailerRule: ContentRule = {
  id: 'content-trailer',
  describe: 'the file does not end the way its type always ends',
  judge(type, sample) {
    if (!type.trailer || sample.blocks.length === 0) return undefined;
    const tail = sample.blocks[sample.blocks.length - 1]!;
    if (tail.bytes.includes(type.trailer.bytes)) return undefined;
    return {
      expected: type.trailer.describe,
      actualHex: hexAt(tail.bytes, Math.max(0, tail.bytes.length - HEX_SHOWN)),
      offset: tail.offset + Math.max(0, tail.bytes.length - HEX_SHOWN),
      entropy: round(shannonEntropy(tail.bytes)),
    };
  },
};

export const notTextRule: ContentRule = {
  id: 'not-text',
  describe: 'a text file holds bytes that no text encoding writes',
  judge(type, sample, settings) {
    if (!type.text || hasUtf16Bom(sample.blocks[0]!.bytes) || looksWideText(sample.blocks[0]!.bytes.subarray(0, TEXT_WINDOW))) return undefined;
    // Judged per 512-byte window, so that a few encrypted bytes at the head are not diluted by the rest.
    for (const block of sample.blocks) {
      for (let start = 0; start < block.bytes.length; start += TEXT_WINDOW) {
        const window = block.bytes.subarray(start, start + TEXT_WINDOW);
        if (window.length < 16) break;
        const share = controlShare(window);
        if (share <= settings.maxControlShare) continue;
        const at = window.findIndex(isControl);
        return {
          expected: `text (at most ${settings.maxControlShare * 100}% control bytes in any ${TEXT_WINDOW}-byte window)`,
          actualHex: hexAt(window, Math.max(0, at)),
          offset: block.offset + start + Math.max(0, at),
          controlShare: round(share),
          entropy: round(shannonEntropy(window)),
        };
      }
    }
    return undefined;
  },
};

export const entropyRule: ContentRule = {
  id: 'entropy',
  describe: 'data near random (encrypted) where the type cannot be',
  judge(type, sample, settings) {
    if (type.entropy === 'never') return undefined;
    const head = sample.blocks[0]!.bytes;
    if (type.entropyJudgedWhen && !type.entropyJudgedWhen(head)) return undefined;
    const judged = (type.entropy === 'any-block' ? sample.blocks : sample.blocks.slice(1)).filter((b) => b.bytes.length >= MIN_ENTROPY_BLOCK);
    if (judged.length === 0) return undefined;
    const measured = judged.map((b) => ({ block: b, entropy: shannonEntropy(b.bytes), threshold: thresholdFor(b.bytes.length, settings.entropyThreshold) }));
    const high = measured.filter((m) => m.entropy >= m.threshold);
    const fires = type.entropy === 'any-block' ? high.length > 0 : high.length === measured.length;
    if (!fires) return undefined;
    const worst = high.reduce((a, b) => (b.entropy > a.entropy ? b : a));
    return {
      expected: `entropy below ${round(worst.threshold)} bits/byte for ${type.name}${type.entropy === 'all-blocks' ? ' in at least one sampled block' : ' in every sampled block'}`,
      actualHex: hexAt(worst.block.bytes, 0),
      offset: worst.block.offset,
      entropy: round(worst.entropy),
    };
  },
};

/** In the order they are tried: the first that fires is the one reported for a file. */
export const CONTENT_RULES: ContentRule[] = [headerRule, notTextRule, entropyRule, trailerRule];

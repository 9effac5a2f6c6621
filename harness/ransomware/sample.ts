/**
 * Deterministic, bounded reading of a file: the head block, the tail block, and blocks at fixed
 * fractions of the size between them. The same file always yields the same blocks, and no file costs
 * more than blocksPerFile × blockSize bytes.
 */
import { openRegular } from '../manifest/safe-open.ts';

export interface SamplePlan {
  blockSize: number;
  /** Head and tail included; at least 1 (head only). */
  blocksPerFile: number;
}

export interface Block {
  offset: number;
  bytes: Buffer;
}

export interface FileSample {
  size: number;
  /** Ordered by offset; the first is the head (offset 0) when the file is not empty. */
  blocks: Block[];
  bytesRead: number;
}

/** The offsets read for a file of this size, in order, without overlaps. */
export function blockOffsets(size: number, plan: SamplePlan): number[] {
  if (size <= 0) return [];
  const { blockSize, blocksPerFile } = plan;
  const offsets = new Set<number>([0]);
  if (blocksPerFile >= 2 && size > blockSize) {
    const last = Math.max(0, size - blockSize);
    const inner = blocksPerFile - 2;
    for (let i = 1; i <= inner; i++) {
      const aligned = Math.floor((size * i) / (inner + 1) / blockSize) * blockSize;
      if (aligned >= blockSize && aligned + blockSize <= last) offsets.add(aligned);
    }
    offsets.add(last);
  }
  return [...offsets].sort((a, b) => a - b);
}

/** Only a regular file is read (never through a link, never a FIFO or device): else UnsafePathError. */
export async function sampleFile(file: string | Buffer, plan: SamplePlan): Promise<FileSample> {
  const { handle, size } = await openRegular(file);
  try {
    const blocks: Block[] = [];
    let bytesRead = 0;
    for (const offset of blockOffsets(size, plan)) {
      const buffer = Buffer.alloc(Math.min(plan.blockSize, size - offset));
      const { bytesRead: read } = await handle.read(buffer, 0, buffer.length, offset);
      bytesRead += read;
      blocks.push({ offset, bytes: buffer.subarray(0, read) });
    }
    return { size, blocks, bytesRead };
  } finally {
    await handle.close();
  }
}

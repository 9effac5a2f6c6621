/**
 * What the sandboxes' streaming exec shares: stdout read with back-pressure (the command is held
 * back while the reader is busy, so memory stays at one buffer), and what is left thrown away when
 * the reader stops early (the command then ends on its own; the caller aborts it to stop it).
 */
import type { Readable } from 'node:stream';

/** The pieces of `readable`, counted into `count.bytes`; its rest is drained when the reader stops early. */
export async function* pacedPieces(readable: Readable, count: { bytes: number }): AsyncGenerator<Buffer> {
  let ended = false;
  try {
    for await (const piece of readable.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      count.bytes += piece.length;
      yield piece;
    }
    ended = true;
  } finally {
    if (!ended && !readable.destroyed) readable.on('data', (piece: Buffer) => void (count.bytes += piece.length)).resume();
  }
}

/** The transcript's stand-in for output that went to the reader, not into the log. */
export function streamedNote(bytes: number): string {
  return `(${bytes} bytes of output streamed to the harness)`;
}

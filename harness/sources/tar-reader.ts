/**
 * A streaming tar reader that keeps names as bytes (ustar, GNU long names, pax). A backup's names are
 * whatever bytes its host wrote (Shift_JIS on an old NAS): decoding them would restore files under
 * other names. Each entry's body must be read (or skipped) before the next entry is asked for, and a
 * piece of it used before the next piece is asked for: the input may use its buffers again (read-ahead.ts).
 * What an entry keeps (its header, long names, pax records) is copied.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'sparse' | 'other';

export interface TarEntry {
  /** The entry's name, as its bytes. */
  path: Buffer;
  type: TarEntryType;
  /** The type flag as written (for messages about entries not restored). */
  flag: string;
  linkpath: Buffer;
  size: number;
  mode: number;
  mtime: number;
  /** The body, in pieces, exactly `size` bytes; read it or skip it before the next entry. */
  body(): AsyncGenerator<Buffer>;
}

const BLOCK = 512;

/** The archive itself could not be read (damaged, truncated, not a tar): the caller names the archive. */
export class TarReadError extends Error {}

/** Exact-size reads from a stream of chunks, without copying when a chunk holds all of a read. */
class ChunkReader {
  private readonly source: AsyncIterator<Buffer>;
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.source = source[Symbol.asyncIterator]();
  }

  private async fill(bytes: number): Promise<void> {
    while (this.have < bytes && !this.ended) {
      const next = await this.source.next().catch((err: unknown) => {
        throw new TarReadError(err instanceof Error ? err.message : String(err), { cause: err });
      });
      if (next.done) this.ended = true;
      else {
        this.chunks.push(next.value);
        this.have += next.value.length;
      }
    }
  }

  /** Lets the source go (a file it reads is closed) when the reader stops before its end. */
  async close(): Promise<void> {
    await this.source.return?.();
  }

  /** `bytes` bytes, or fewer only at the end of the stream. */
  async read(bytes: number): Promise<Buffer> {
    await this.fill(bytes);
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const taken = all.subarray(0, bytes);
    const rest = all.subarray(taken.length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.have = rest.length;
    return taken;
  }

  /** `bytes` bytes in the pieces they arrived in; throws when the stream ends first. */
  async *pieces(bytes: number, what: string): AsyncGenerator<Buffer> {
    let left = bytes;
    while (left > 0) {
      if (this.have === 0) await this.fill(1);
      if (this.have === 0) throw truncated(what);
      const chunk = this.chunks[0]!;
      const piece = chunk.length <= left ? chunk : chunk.subarray(0, left);
      if (piece === chunk) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(left);
      this.have -= piece.length;
      left -= piece.length;
      yield piece;
    }
  }
}

function truncated(what: string): TarReadError {
  return new TarReadError(`it ends in the middle of ${what}`);
}

/** The bytes of a field up to its first NUL. */
function field(block: Buffer, start: number, length: number): Buffer {
  const raw = block.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return nul === -1 ? raw : raw.subarray(0, nul);
}

/** An octal number, or base-256 (GNU, for sizes of 8 GiB and more) when the high bit is set. */
function number(block: Buffer, start: number, length: number): number {
  if (block[start]! & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = field(block, start, length).toString('latin1').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === number(block, 148, 8);
}

const TYPES: Record<string, TarEntryType> = { '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '5': 'directory', D: 'directory', S: 'sparse' };

/** pax records: "<length> <key>=<value>\n"; values kept as bytes. */
function paxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (space === -1 || !Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1);
    const equals = record.indexOf(0x3d);
    if (equals !== -1) records.set(record.subarray(0, equals).toString('utf8'), record.subarray(equals + 1));
    at += length;
  }
  return records;
}

/** Metadata entries (long names, pax headers) are small; a larger one is a hostile archive. */
const META_MAX = 1024 * 1024;

/** The entries of an uncompressed tar stream, in order. */
export async function* readTar(input: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(input);
  try {
    yield* entriesOf(reader);
  } finally {
    await reader.close();
  }
}

async function* entriesOf(reader: ChunkReader): AsyncGenerator<TarEntry> {
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  let pax = new Map<string, Buffer>();
  let globalPax = new Map<string, Buffer>();
  for (;;) {
    const block = Buffer.from(await reader.read(BLOCK));
    if (block.length === 0 || block.every((b) => b === 0)) return;
    if (block.length < BLOCK) throw truncated('a header');
    if (!checksumOk(block)) throw new TarReadError('a header has a wrong checksum (not a tar archive?)');
    const flag = String.fromCharCode(block[156]!);
    const size = number(block, 124, 12);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if ('LKxg'.includes(flag)) {
      if (size > META_MAX) throw new TarReadError(`it has a ${size}-byte metadata entry (type ${flag}), which no real archive has`);
      const data = Buffer.from((await reader.read(padded)).subarray(0, size));
      if (data.length < size) throw truncated('a long name or pax header');
      if (flag === 'L') longName = field(data, 0, data.length);
      else if (flag === 'K') longLink = field(data, 0, data.length);
      else if (flag === 'x') pax = paxRecords(data);
      else globalPax = new Map([...globalPax, ...paxRecords(data)]);
      continue;
    }
    const meta = new Map([...globalPax, ...pax]);
    const ustar = block.subarray(257, 263).toString('latin1') === 'ustar\0';
    const prefix = ustar ? field(block, 345, 155) : Buffer.alloc(0);
    const name = field(block, 0, 100);
    const paxSize = meta.get('size');
    const entrySize = paxSize ? Number(paxSize.toString('latin1')) : size;
    if (!Number.isSafeInteger(entrySize) || entrySize < 0) throw new TarReadError(`the entry ${displayName(name)} has no valid size`);
    const entryPath = meta.get('path') ?? longName ?? (prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), name]) : name);
    const what = `the entry ${displayName(entryPath)}`;
    let left = entrySize;
    const entry: TarEntry = {
      path: entryPath,
      type: TYPES[flag] ?? 'other',
      flag,
      linkpath: meta.get('linkpath') ?? longLink ?? field(block, 157, 100),
      size: entrySize,
      mode: number(block, 100, 8) & 0o7777,
      mtime: meta.has('mtime') ? Number(meta.get('mtime')!.toString('latin1')) : number(block, 136, 12),
      body: async function* () {
        for await (const piece of reader.pieces(left, what)) {
          left -= piece.length;
          yield piece;
        }
      },
    };
    longName = longLink = undefined;
    pax = new Map();
    yield entry;
    // What the consumer did not read of the body is skipped.
    const rest = left;
    for await (const piece of reader.pieces(rest, what)) left -= piece.length;
    const pad = Math.ceil(entrySize / BLOCK) * BLOCK - entrySize;
    if (pad > 0 && (await reader.read(pad)).length < pad) throw truncated(what);
  }
}

/** A name for messages: its UTF-8 text, or with \xNN for the bytes that are not UTF-8. */
export function displayName(name: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(name);
  } catch {
    return [...name].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  }
}

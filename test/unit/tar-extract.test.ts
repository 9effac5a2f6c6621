/**
 * The tar extractor against archives made here byte by byte, read through the read-ahead ring (which
 * uses its buffers again): the last entry of a path wins, hard links are links, each file's digest is
 * recorded as it is written, and headers stay right when entries straddle the ring's chunks.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DigestRecorder } from '../../harness/manifest/known-digests.ts';
import { RestoreBudget } from '../../harness/sandboxes/restore-budget.ts';
import { CHUNK } from '../../harness/sources/read-ahead.ts';
import { readAhead } from '../../harness/sources/read-ahead.ts';
import { TarExtractor } from '../../harness/sources/tar-extract.ts';
import { readTar } from '../../harness/sources/tar-reader.ts';
import { tempDir } from '../helpers/cli.ts';
import { tarArchive, type TarEntrySpec } from '../helpers/tar-bytes.ts';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('tar extractor (read ahead, digests while writing)', function () {
  this.timeout(20_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let n = 0;
  beforeEach(async () => (tmp = await tempDir('rd-extract-')));
  afterEach(async () => tmp.remove());

  const extract = async (entries: TarEntrySpec[]) => {
    const archive = path.join(tmp.path, `a${n}.tar`);
    const root = path.join(tmp.path, `out${n++}`);
    await writeFile(archive, tarArchive(entries));
    await mkdir(root);
    const digests = new DigestRecorder();
    const extractor = new TarExtractor({ root, budget: RestoreBudget.unlimited(root), signal: new AbortController().signal, onProgress: () => undefined, digests });
    const progress = await extractor.extract(readTar(readAhead(archive)));
    await digests.seal();
    return { root, digests, progress, refused: extractor.refused };
  };

  it('restores the last entry of a path (file over file, file over folder, link over file)', async () => {
    const { root } = await extract([
      { name: 'a.txt', data: 'first' },
      { name: 'a.txt', data: 'second' },
      { name: 'd/', type: 'directory' },
      { name: 'd/inner.txt', data: 'x' },
      { name: 'd', data: 'now a file' },
      { name: 'l', data: 'a file first' },
      { name: 'l', type: 'symlink', link: '/etc/passwd' },
    ]);
    assert.equal(await readFile(path.join(root, 'a.txt'), 'utf8'), 'second');
    assert.equal(await readFile(path.join(root, 'd'), 'utf8'), 'now a file');
    assert.equal(await readlink(path.join(root, 'l')), '/etc/passwd');
  });

  it('gives a symbolic link its own time from the archive, as tar -x does (not the time of the restore)', async () => {
    const { root } = await extract([{ name: 'ln', type: 'symlink', link: 'target-that-need-not-exist' }]);
    assert.equal((await lstat(path.join(root, 'ln'))).mtimeMs, Date.UTC(2026, 10, 20));
  });

  it('records each file\'s SHA-256 as written; a hard link keeps its file\'s digest usable', async () => {
    const { root, digests } = await extract([
      { name: 'f.txt', data: 'hello' },
      { name: 'empty', data: '' },
      { name: 'h', type: 'hardlink', link: 'f.txt' },
    ]);
    assert.equal(digests.size, 2);
    for (const [name, content] of [['f.txt', 'hello'], ['empty', ''], ['h', 'hello']] as const) {
      const known = digests.lookup(await lstat(path.join(root, name), { bigint: true }));
      assert.deepEqual(known, { digest: sha256(content), size: content.length }, name);
    }
    assert.equal((await stat(path.join(root, 'h'))).ino, (await stat(path.join(root, 'f.txt'))).ino);
  });

  it('large files are hashed on another core while written: their digests are as right as small ones\'', async () => {
    const big = (seed: number, size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff));
    const entries: TarEntrySpec[] = [
      { name: 'big-1.bin', data: big(1, 3 * CHUNK + 17) },
      { name: 'small.txt', data: 'small' },
      { name: 'big-2.bin', data: big(2, CHUNK) },
      { name: 'big-3.bin', data: big(3, 2 * CHUNK - 1) },
    ];
    const { root, digests } = await extract(entries);
    assert.equal(digests.size, 4);
    for (const entry of entries) {
      const file = path.join(root, entry.name as string);
      assert.equal(digests.lookup(await lstat(file, { bigint: true }))?.digest, sha256(entry.data!), entry.name as string);
      assert.ok((await readFile(file)).equals(Buffer.from(entry.data!)), `${entry.name} written whole`);
    }
  });

  it('an abort in the middle of a large file ends the extraction (and its hashing thread) at once', async () => {
    const archive = path.join(tmp.path, 'abort.tar');
    await writeFile(archive, tarArchive([{ name: 'big.bin', data: Buffer.alloc(8 * CHUNK, 1) }, { name: 'after.txt', data: 'x' }]));
    const root = path.join(tmp.path, 'abort-out');
    await mkdir(root);
    const stop = new AbortController();
    const extractor = new TarExtractor({ root, budget: RestoreBudget.unlimited(root), signal: stop.signal, onProgress: () => undefined, digests: new DigestRecorder() });
    async function* abortingAfterTwo() {
      let chunks = 0;
      for await (const chunk of readAhead(archive)) {
        if (++chunks === 3) stop.abort(new Error('stopped by the test'));
        yield chunk;
      }
    }
    await assert.rejects(extractor.extract(readTar(abortingAfterTwo())), /stopped by the test/);
    await assert.rejects(lstat(path.join(root, 'after.txt')), { code: 'ENOENT' });
  });

  it('keeps names and contents right when entries straddle the read-ahead chunks', async () => {
    const entries: TarEntrySpec[] = [];
    // Bodies of odd sizes around the chunk size, so headers fall across chunk boundaries.
    for (let i = 0; i < 12; i++) entries.push({ name: `f${i}-${'n'.repeat(40)}.bin`, data: Buffer.alloc(Math.floor(CHUNK / 3) + 777 * i, i + 1) });
    const { root, digests, progress } = await extract(entries);
    assert.equal(progress.files, 12);
    for (const [i, entry] of entries.entries()) {
      const file = path.join(root, entry.name as string);
      const content = await readFile(file);
      assert.ok(content.equals(entry.data as Buffer), `${entry.name} has its own bytes`);
      assert.equal(digests.lookup(await lstat(file, { bigint: true }))?.digest, sha256(content), `digest of entry ${i}`);
    }
  });

  it('an entry\'s name stays its own after later chunks are read into the ring again', async () => {
    const entries: TarEntrySpec[] = Array.from({ length: 10 }, (_, i) => ({ name: `kept-${i}.bin`, data: Buffer.alloc(CHUNK / 2 + 100, i) }));
    const archive = path.join(tmp.path, 'kept.tar');
    await writeFile(archive, tarArchive(entries));
    const names: Buffer[] = [];
    for await (const entry of readTar(readAhead(archive))) {
      names.push(entry.path);
      for await (const piece of entry.body()) assert.ok(piece.length > 0);
    }
    assert.deepEqual(names.map(String), entries.map((e) => e.name));
  });

  it('refuses traversal and entries through a link, as before', async () => {
    const { refused } = await extract([
      { name: '../up.txt', data: 'x' },
      { name: 'ln', type: 'symlink', link: '/tmp' },
      { name: 'ln/in.txt', data: 'x' },
    ]);
    assert.deepEqual(refused, { outside: ['../up.txt'], throughLink: ['ln/in.txt'] });
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { compareTree, type Difference } from '../../harness/manifest/compare.ts';
import { writeManifest } from '../../harness/manifest/create.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { formatManifestLine, parseManifestLine, readManifestSorted } from '../../harness/manifest/manifest-file.ts';
import { walkSorted } from '../../harness/manifest/walk.ts';
import { tempDir } from '../helpers/cli.ts';
import { SAMPLE_FILES, writeTree } from '../helpers/fixtures.ts';

describe('manifests', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tree: string;
  before(async () => {
    tmp = await tempDir();
    tree = path.join(tmp.path, 'tree');
    await writeTree(tree);
  });
  after(() => tmp.remove());

  async function manifestOf(root: string, file: string, pool: HashPool) {
    const out = createWriteStream(file);
    const stats = await writeManifest(root, out, pool);
    out.end();
    await finished(out);
    return stats;
  }

  it('walks in bytewise path order ("a-b" before "a/b")', async () => {
    const seen: string[] = [];
    for await (const entry of walkSorted(tree)) seen.push(entry.relative);
    const expected = Object.keys(SAMPLE_FILES).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(seen, expected);
    assert.ok(seen.indexOf('a-b.txt') < seen.indexOf('a/b.txt'));
  });

  it('escapes names with a backslash or a newline as sha256sum does, and reads them back', () => {
    const digest = 'a'.repeat(64);
    const line = formatManifestLine(digest, 'odd\\name\nx');
    assert.equal(line, `\\${digest}  odd\\\\name\\nx\n`);
    assert.equal(parseManifestLine(line.trimEnd(), 1, 'm').relative, 'odd\\name\nx');
    assert.equal(parseManifestLine(`${digest} *binary mode.bin`, 1, 'm').relative, 'binary mode.bin');
  });

  it('names the line of a malformed manifest', () => {
    assert.throws(() => parseManifestLine('not a manifest line', 7, 'expected/x.sha256'), /expected\/x\.sha256:7: expected "<sha256 hex>  <path>"/);
  });

  it('writes what sha256sum -c accepts, for names with spaces and Japanese', async () => {
    await using pool = new HashPool({ workers: 2 });
    const file = path.join(tmp.path, 'tree.sha256');
    const stats = await manifestOf(tree, file, pool);
    assert.equal(stats.files, Object.keys(SAMPLE_FILES).length);
    const check = spawnSync('sha256sum', ['-c', '--strict', file], { cwd: tree, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(await readFile(file, 'utf8'), /  紹介状\/紹介状_0001\.txt\n/);
  });

  it('sorts a hand-made, unsorted manifest and rejects duplicates', async () => {
    const file = path.join(tmp.path, 'unsorted.sha256');
    const d = 'b'.repeat(64);
    await writeFile(file, `${d}  z.txt\n${d}  a.txt\n`);
    const read: string[] = [];
    for await (const entry of readManifestSorted(file)) read.push(entry.relative);
    assert.deepEqual(read, ['a.txt', 'z.txt']);
    await writeFile(file, `${d}  a.txt\n${d}  a.txt\n`);
    await assert.rejects(async () => {
      for await (const _ of readManifestSorted(file)) void _;
    }, /a\.txt is listed twice/);
  });

  for (const workers of [1, 2, 4]) {
    for (const bufferSize of [4093, 65536, 1024 * 1024]) {
      it(`finds a flipped byte, a missing and an extra file (${workers} workers, ${bufferSize}-byte buffer)`, async () => {
        const copy = await tempDir();
        try {
          await writeTree(copy.path);
          await using pool = new HashPool({ workers, bufferSize });
          const manifest = path.join(copy.path, '..', `${path.basename(copy.path)}.sha256`);
          await manifestOf(copy.path, manifest, pool);
          // flip one byte deep inside the large file, remove one file, add one
          const big = path.join(copy.path, 'images/big.raw');
          const bytes = await readFile(big);
          bytes[bytes.length - 5]! ^= 0x80;
          await writeFile(big, bytes);
          await unlink(path.join(copy.path, 'a/b.txt'));
          await writeFile(path.join(copy.path, 'ransom note.txt'), 'pay');
          const found: Difference[] = [];
          const stats = await compareTree({ manifestFile: manifest, root: copy.path, pool, extra: 'forbid', onDifference: (d) => found.push(d) });
          await unlink(manifest);
          const summary = found.map((d) => `${d.kind} ${d.path}`).sort();
          assert.deepEqual(summary, ['changed images/big.raw', 'extra ransom note.txt', 'missing a/b.txt']);
          assert.equal(stats.verifiedFiles, Object.keys(SAMPLE_FILES).length - 1);
        } finally {
          await copy.remove();
        }
      });
    }
  }

  it('lets extra files pass with extra: allow', async () => {
    await using pool = new HashPool({ workers: 1 });
    const manifest = path.join(tmp.path, 'allow.sha256');
    await manifestOf(tree, manifest, pool);
    await writeFile(path.join(tree, 'new.txt'), 'added after');
    const found: Difference[] = [];
    await compareTree({ manifestFile: manifest, root: tree, pool, extra: 'allow', onDifference: (d) => found.push(d) });
    await unlink(path.join(tree, 'new.txt'));
    assert.deepEqual(found, []);
  });
});

describe('comparePaths', () => {
  it('orders as bytes do, also where UTF-16 order differs (U+FF5E vs U+1F600)', async () => {
    const { comparePaths } = await import('../../harness/manifest/walk.ts');
    const names = ['a/b', 'a-b', 'ａ', '😀', 'z', 'Z', '紹介状', '～'];
    const byBytes = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...names].sort(comparePaths), byBytes);
  });
});

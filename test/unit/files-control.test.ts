/** The files check's negative control: a byte flipped in a copy and a file left out must make the real files check FAIL, the restore untouched. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, symlink, writeFile, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FakeClock } from '../../harness/clock.ts';
import { filesControl } from '../../harness/drill/files-control.ts';
import { folderView } from '../../harness/drill/folder-view.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { formatManifestLine } from '../../harness/manifest/manifest-file.ts';
import { filesCheckSchema } from '../../harness/scenario/schema.ts';
import { tempDir } from '../helpers/cli.ts';
import { makeManifest, writeTree } from '../helpers/fixtures.ts';

describe('the files check negative control (a manipulated view, real files and hashes)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pool: HashPool;
  const clock = new FakeClock(new Date('2026-11-01T03:00:00Z'));
  const spec = filesCheckSchema.parse({ manifest: 'm.sha256' });
  beforeEach(async () => (tmp = await tempDir()));
  afterEach(() => tmp.remove());
  before(() => (pool = new HashPool({ workers: 1 })));
  after(() => pool.close());

  const context = () => ({ pool, clock, signal: new AbortController().signal });

  it('catches the flipped byte and the removed file, naming both, and leaves the restore as it was', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'a/first.txt': 'first file\n', 'b/second.txt': 'second file\n', 'c.txt': 'third\n' });
    const manifest = path.join(tmp.path, 'm.sha256');
    await makeManifest(tree, manifest);
    const control = await filesControl(spec, manifest, folderView(tree), context());
    assert.equal(control.status, 'proven', control.summary);
    assert.match(control.summary, /a\/first\.txt with byte 5 flipped \(changed\)/);
    assert.match(control.summary, /b\/second\.txt removed \(missing\)/);
    assert.equal(await readFile(path.join(tree, 'a/first.txt'), 'utf8'), 'first file\n');
    assert.equal(await readFile(path.join(tree, 'b/second.txt'), 'utf8'), 'second file\n');
  });

  it('never copies through a link of the restore (hostile): it flips a real file instead', async () => {
    const tree = path.join(tmp.path, 'restored');
    const outside = path.join(tmp.path, 'outside.txt');
    await writeFile(outside, 'host secret\n');
    await mkdir(tree);
    await symlink(outside, path.join(tree, 'a-link.txt'));
    await writeFile(path.join(tree, 'b.txt'), 'real\n');
    const manifest = path.join(tmp.path, 'm.sha256');
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    await writeFile(manifest, Buffer.concat([formatManifestLine(sha('host secret\n'), 'a-link.txt'), formatManifestLine(sha('real\n'), 'b.txt')].map((line) => Buffer.from(line))));
    const control = await filesControl(spec, manifest, folderView(tree), context());
    assert.equal(control.status, 'proven', control.summary);
    assert.match(control.summary, /b\.txt with byte 2 flipped/);
    assert.match(control.summary, /a-link\.txt removed/);
  });

  it('calls a manifest with no file vacuous: it passes on any restore', async () => {
    const tree = path.join(tmp.path, 'restored');
    await mkdir(tree);
    const manifest = path.join(tmp.path, 'm.sha256');
    await writeFile(manifest, '');
    const control = await filesControl(spec, manifest, folderView(tree), context());
    assert.equal(control.status, 'vacuous');
    assert.match(control.summary, /lists no file/);
  });

  it('with one file only, flips it', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'only.bin': Buffer.alloc(1000, 1) });
    const manifest = path.join(tmp.path, 'm.sha256');
    await makeManifest(tree, manifest);
    const control = await filesControl(spec, manifest, folderView(tree), context());
    assert.equal(control.status, 'proven', control.summary);
    assert.match(control.summary, /only\.bin with byte 500 flipped/);
    await rm(tree, { recursive: true });
  });
});

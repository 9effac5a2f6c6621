/**
 * Memory of `verify` on many files with no flags: V8 grows its young generation (up to 64 MiB a half
 * on a large machine) when objects keep surviving collections, as a walk of many small files does,
 * and that headroom, not the live set, was most of the 300 MiB peak at a million files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeManyFiles } from '../../bench/dataset.ts';
import type { MemoryRun } from '../../bench/memory-child.ts';
import { REPO, tempDir } from '../helpers/cli.ts';

const MIB = 1024 * 1024;

describe('verify memory with no flags', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (tmp = await tempDir()));
  after(() => tmp.remove());

  it('keeps the young generation at its starting size over 30,000 files (no NODE_OPTIONS)', async () => {
    const tree = path.join(tmp.path, 'many');
    const manifest = path.join(tmp.path, 'many.sha256');
    writeManyFiles(tree, 30_000, manifest);
    const out = path.join(tmp.path, 'run.json');
    const env = { ...process.env, NODE_OPTIONS: '' };
    const child = spawnSync(process.execPath, [path.join(REPO, 'bench', 'memory-child.ts'), out, 'verify', tree, manifest], { env, encoding: 'utf8', timeout: 50_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stderr, /30000 files \(0 B\) verified, 0 differences/);
    const run = JSON.parse(await readFile(out, 'utf8')) as MemoryRun;
    assert.ok(run.newSpaceBytes <= 4 * MIB, `new space grew to ${(run.newSpaceBytes / MIB).toFixed(1)} MiB`);
  });
});

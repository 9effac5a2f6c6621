import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { digestOfPath } from '../../harness/evidence/digest.ts';
import { makeArchive, writeTree } from '../helpers/fixtures.ts';

describe('unit: restore point digests', function () {
  let dir: string;
  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-digest-'));
    await writeTree(path.join(dir, 'snapshot'), { 'a-b.txt': 'x\n', 'a/b.txt': 'inside\n', '紹介状/紹介状_0001.txt': '紹介状\n', 'Z.txt': '' });
    await symlink('a/b.txt', path.join(dir, 'snapshot', 'link.txt'));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("gives a folder the in-toto dirHash, as coreutils compute it from the spec's command line", async function () {
    const expected = execFileSync('bash', ['-c', 'find . -type f | cut -c3- | LC_ALL=C sort | xargs -r sha256sum | sha256sum | cut -f1 -d" "'], { cwd: path.join(dir, 'snapshot'), encoding: 'utf8' }).trim();
    assert.deepEqual(await digestOfPath(path.join(dir, 'snapshot')), { dirHash: expected });
  });

  it('gives a file its sha256', async function () {
    const archive = path.join(dir, 'share.tar');
    await makeArchive(path.join(dir, 'snapshot'), archive);
    const { readFile } = await import('node:fs/promises');
    assert.deepEqual(await digestOfPath(archive), { sha256: createHash('sha256').update(await readFile(archive)).digest('hex') });
  });
});

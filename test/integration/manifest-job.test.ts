/** restore-drill manifest as a backup job runs it: into the folder it describes, --exclude, atomic under Ctrl-C. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { writeTree } from '../helpers/fixtures.ts';

const listed = async (file: string) => (await readFile(file, 'utf8')).trimEnd().split('\n').map((line) => line.slice(66));

describe('restore-drill manifest for a backup job (real CLI, real files)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (tmp = await tempDir()));
  afterEach(() => tmp.remove());

  it('written into the folder it describes, it never lists itself, also when last night\'s is there', async () => {
    const share = path.join(tmp.path, 'share');
    await writeTree(share, { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
    const out = path.join(share, '.restore-drill.sha256');
    for (const night of [1, 2]) {
      const { code, stderr } = await runCli(['manifest', share, '-o', out]);
      assert.equal(code, 0, stderr);
      assert.deepEqual(await listed(out), ['a.txt', 'sub/b.txt'], `night ${night}`);
    }
    const check = spawnSync('sha256sum', ['-c', '--strict', out], { cwd: share, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.deepEqual((await readdir(share)).sort(), ['.restore-drill.sha256', 'a.txt', 'sub'], 'no temporary file is left');
  });

  it('--exclude leaves out a file and a whole folder (relative to the folder), repeatable', async () => {
    const share = path.join(tmp.path, 'share');
    await writeTree(share, { 'a.txt': 'a\n', 'tmp/x': 'x\n', 'tmp/y/z': 'z\n', 'tmpfile': 't\n', 'keep/lock': 'l\n' });
    const out = path.join(tmp.path, 'm.sha256');
    const { code, stderr } = await runCli(['manifest', share, '-o', out, '--exclude', 'tmp', '--exclude', './keep/lock']);
    assert.equal(code, 0, stderr);
    assert.deepEqual(await listed(out), ['a.txt', 'tmpfile']);
    const outside = await runCli(['manifest', share, '-o', out, '--exclude', '../elsewhere']);
    assert.equal(outside.code, 64);
    assert.match(outside.stderr, /--exclude \.\.\/elsewhere: expected a path inside/);
  });

  it('Ctrl-C while hashing leaves the old manifest as it was and no partial file (exit 130)', async () => {
    const share = path.join(tmp.path, 'share');
    await mkdir(share);
    // Sparse files: gigabytes to hash, no disk used.
    for (let i = 0; i < 4; i++) {
      await writeFile(path.join(share, `disk-${i}.img`), '');
      await truncate(path.join(share, `disk-${i}.img`), 3 * 1024 ** 3);
    }
    const out = path.join(tmp.path, 'share.sha256');
    await writeFile(out, 'last night\n');
    const { code, stderr } = await runCli(['manifest', share, '-o', out], {
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          if ((await readdir(tmp.path)).some((name) => name.endsWith('.partial'))) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
    });
    assert.equal(code, 130, stderr);
    assert.match(stderr, /interrupted: .*share\.sha256 is not written/);
    assert.equal(await readFile(out, 'utf8'), 'last night\n');
    assert.deepEqual((await readdir(tmp.path)).sort(), ['share', 'share.sha256']);
  });
});

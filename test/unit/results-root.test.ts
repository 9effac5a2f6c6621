import assert from 'node:assert/strict';
import { readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../harness/errors.ts';
import { checkResultsRoot } from '../../harness/cli/results-root.ts';
import { tempDir } from '../helpers/cli.ts';

describe('--results checked before a drill', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (tmp = await tempDir('rd-results-root-')));
  after(() => tmp.remove());

  it('accepts a folder still to be made under a writable one, and makes nothing', async () => {
    assert.equal(await checkResultsRoot(path.join(tmp.path, 'a', 'b')), path.join(tmp.path, 'a', 'b'));
    assert.deepEqual((await readdir(tmp.path)).filter((name) => name !== 'to-proc'), []);
  });

  it('refuses a file, and a folder inside a file, naming the path', async () => {
    const file = path.join(tmp.path, 'results.txt');
    await writeFile(file, 'x');
    await assert.rejects(checkResultsRoot(file), (err: unknown) => err instanceof UsageError && err.message === `--results ${file}: is a file, not a folder. Give a folder (it is created when missing).`);
    await assert.rejects(checkResultsRoot(path.join(file, 'sub')), /is a file, so no results folder can be made inside it/);
  });

  it('refuses /proc, /sys and /dev, also through a symbolic link', async () => {
    for (const dir of ['/proc/restore-drill', '/sys/x/y', '/dev/shm-not/x']) await assert.rejects(checkResultsRoot(dir), /is a system file system/);
    const link = path.join(tmp.path, 'to-proc');
    await symlink('/proc', link);
    await assert.rejects(checkResultsRoot(path.join(link, 'results')), /--results .*to-proc\/results: \/proc is a system file system/);
  });
});

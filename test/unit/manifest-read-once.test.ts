/**
 * A manifest through a pipe (`verify DIR <(ssh host cat nightly.sha256)`), which cannot be read a
 * second time, is read once: sorted or not. One sorted for longer than the look-ahead and out of order
 * after it is refused, naming the line (the entries before were used). A manifest file is sorted in
 * memory wherever its disorder comes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../harness/errors.ts';
import { readManifestSortedRuns } from '../../harness/manifest/manifest-file.ts';
import { tempDir } from '../helpers/cli.ts';

const D = 'c'.repeat(64);
const lines = (names: string[]) => names.map((n) => `${D}  ${n}\n`).join('');

async function readAll(file: string, lookahead?: number): Promise<string[]> {
  const read: string[] = [];
  for await (const run of readManifestSortedRuns(file, 'nightly.sha256', { lookahead })) read.push(...run.map((e) => e.relative));
  return read;
}

describe('reading a manifest once', function () {
  this.timeout(10_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const fifos: string[] = [];
  before(async () => (tmp = await tempDir()));
  after(async () => {
    // A reader still waiting to open a pipe a second time gets an end instead of hanging the run.
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader waits
      }
    }
    await tmp.remove();
  });

  /** A named pipe that gives `text` to its first reader only. */
  async function pipeOf(name: string, text: string): Promise<string> {
    const fifo = path.join(tmp.path, name);
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    fifos.push(fifo);
    void open(fifo, 'w').then(async (handle) => {
      await handle.write(text);
      await handle.close();
    });
    return fifo;
  }

  it('reads a sorted manifest through a pipe', async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `d/f${String(i).padStart(5, '0')}`);
    assert.deepEqual(await readAll(await pipeOf('sorted', lines(names))), names);
  });

  it('reads an unsorted manifest through a pipe and sorts it', async () => {
    assert.deepEqual(await readAll(await pipeOf('unsorted', lines(['z.txt', 'b/a.txt', 'a-b.txt']))), ['a-b.txt', 'b/a.txt', 'z.txt']);
  });

  it('sorts a manifest whose disorder comes within the look-ahead, and still finds a name listed twice', async () => {
    const file = path.join(tmp.path, 'late.sha256');
    await writeFile(file, lines(['a', 'b', 'c', 'd', 'aa']));
    assert.deepEqual(await readAll(file, 8), ['a', 'aa', 'b', 'c', 'd']);
    await writeFile(file, lines(['a', 'b', 'c', 'd', 'b']));
    await assert.rejects(readAll(file, 8), /nightly\.sha256:5: b is listed twice \(first at line 2\)/);
  });

  it('sorts a manifest file whose disorder comes late (sorted by a locale, say), wherever it comes', async () => {
    const file = path.join(tmp.path, 'late-file.sha256');
    const names = Array.from({ length: 5000 }, (_, i) => `f${String(i).padStart(5, '0')}`);
    await writeFile(file, lines([...names, 'ab']));
    assert.deepEqual(await readAll(file, 4), ['ab', ...names]);
  });

  it('refuses a piped manifest sorted beyond the look-ahead and out of order after it, naming the line and how to sort it', async () => {
    // Longer than one read (256 KiB): the first runs are given out before the disorder shows.
    const names = Array.from({ length: 5000 }, (_, i) => `f${String(i).padStart(5, '0')}`);
    const file = await pipeOf('late-pipe', lines([...names, 'ab']));
    await assert.rejects(readAll(file, 4), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.code, 'MANIFEST_UNSORTED');
      assert.match(err.message, /nightly\.sha256:5001: ab comes after f04999: the manifest came through a pipe and is sorted up to here, past the first 4 entries/);
      assert.match(err.message, /LC_ALL=C sort -k 2/);
      return true;
    });
  });
});

/**
 * The digest record the restore fills and the files check reads: nothing is trusted before the seal,
 * the seal waits for the clock to pass the last change time, any stat difference means "read it
 * again", and the compact index finds every record after it grows.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { lstat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DigestRecorder } from '../../harness/manifest/known-digests.ts';
import { tempDir } from '../helpers/cli.ts';

const NS = 1_000_000n;
/** Stats as the kernel gives them, for the fields the record keeps. */
const SECOND_AGO = BigInt(Date.now() - 1000) * NS;
const statsOf = (ino: number, ctimeNs = SECOND_AGO, size = 10n) => ({ dev: 2049n, ino: BigInt(ino), size, mtimeNs: 1_700_000_000n * 1000n * NS, ctimeNs }) as unknown as BigIntStats;
const digestOf = (i: number) => createHash('sha256').update(String(i)).digest();

describe('known digests (compact record of what the restore wrote)', () => {
  it('trusts nothing before the seal, and finds every one of thousands of records after it', async () => {
    const recorder = new DigestRecorder();
    for (let i = 1; i <= 5000; i++) recorder.record(statsOf(i * 7919), digestOf(i));
    assert.equal(recorder.lookup(statsOf(7919)), undefined, 'not sealed yet');
    await recorder.seal();
    assert.equal(recorder.size, 5000);
    for (let i = 1; i <= 5000; i++) assert.equal(recorder.lookup(statsOf(i * 7919))?.digest, digestOf(i).toString('hex'));
    assert.equal(recorder.lookup(statsOf(3)), undefined, 'an inode never recorded');
  });

  it('a file whose size, modification or change time differs is not reused', async () => {
    const recorder = new DigestRecorder();
    const ctime = BigInt(Date.now() - 1000) * NS;
    recorder.record(statsOf(42, ctime), digestOf(42));
    await recorder.seal();
    assert.ok(recorder.lookup(statsOf(42, ctime)));
    assert.equal(recorder.lookup(statsOf(42, ctime + 1n)), undefined, 'change time');
    assert.equal(recorder.lookup(statsOf(42, ctime, 11n)), undefined, 'size');
    assert.equal(recorder.lookup({ ...statsOf(42, ctime), mtimeNs: 5n } as BigIntStats), undefined, 'modification time');
    assert.equal(recorder.lookup({ ...statsOf(42, ctime), dev: 7n } as BigIntStats), undefined, 'another device');
  });

  it('the seal waits until a later write could not have the same change time, so a write right after is caught', async () => {
    const tmp = await tempDir('rd-known-');
    try {
      const file = path.join(tmp.path, 'f');
      await writeFile(file, 'restored');
      const recorder = new DigestRecorder();
      const written = await lstat(file, { bigint: true });
      recorder.record(written, digestOf(1));
      await recorder.seal();
      assert.ok(BigInt(Date.now()) * NS >= written.ctimeNs + 10n * NS, 'the seal let the clock move past the change time');
      await writeFile(file, 'restorex'); // what a restore step could do at once: same size
      assert.equal(recorder.lookup(await lstat(file, { bigint: true })), undefined);
    } finally {
      await tmp.remove();
    }
  });
});

/**
 * The directory source clones files on a copy-on-write file system (a real btrfs image, loop-mounted
 * by the test): the restored file shares the snapshot's extents, its digest is still taken (from the
 * restored bytes) and reused by the files check, a byte changed afterwards still FAILs, and a source
 * swapped to a link after it was opened is not followed. Where clones cannot work (tmpfs, another
 * mount) the hashing copy is used, after one failed attempt per restore, not one a file.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, lstatSync, renameSync, statfsSync, statSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { DigestRecorder } from '../../harness/manifest/known-digests.ts';
import { copyHashing } from '../../harness/sources/hashing-copy.ts';
import { Reflinks } from '../../harness/sources/reflink.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { onlyResult } from '../helpers/engines.ts';
import { makeManifest, SAMPLE_FILES, writeScenario, writeTree } from '../helpers/fixtures.ts';

const MIB = 1024 * 1024;
const FILES = Object.keys(SAMPLE_FILES).length;
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const freeBytes = (dir: string) => {
  execFileSync('sync', ['-f', dir]);
  const s = statfsSync(dir);
  return s.bfree * s.bsize;
};

/** Copies one file as the directory source does; the digest recorded for the target, once sealed. */
async function copyOne(from: string, to: string, reflinks: Reflinks, charge: (size: number) => void = () => {}) {
  const digests = new DigestRecorder();
  const bytes = await copyHashing(from, to, { charge, digests, buffer: Buffer.alloc(MIB), reflinks });
  await digests.seal();
  const stats = lstatSync(to, { bigint: true });
  return { bytes, digest: digests.lookup(stats)?.digest };
}

describe('hostile: the directory source on a copy-on-write file system (btrfs loop image)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>> | undefined;
  let cow = '';
  let mounted = false;

  before(async function () {
    if (process.getuid?.() !== 0) skipBecause(this, 'mounting a loop image needs root');
    if (!has('mkfs.btrfs')) skipBecause(this, 'mkfs.btrfs (btrfs-progs) is not installed');
    tmp = await tempDir('rd-reflink-');
    const image = path.join(tmp.path, 'cow.img');
    await writeFile(image, '');
    execFileSync('truncate', ['-s', '3G', image]); // sparse; the restore budget keeps 1 GiB free
    execFileSync('mkfs.btrfs', ['-q', image]);
    cow = path.join(tmp.path, 'mnt');
    await mkdir(cow);
    execFileSync('mount', ['-o', 'loop', image, cow]);
    mounted = true;
  });
  after(async () => {
    if (mounted && spawnSync('umount', [cow]).status !== 0) spawnSync('umount', ['-l', cow]);
    await tmp?.remove();
  });

  it('a 100 MiB file is cloned: extents shared with the snapshot, free space barely moves, digest and mode as copied', async () => {
    const dir = await mkdtemp(path.join(cow, 'big-'));
    const bytes = randomBytes(100 * MIB);
    await writeFile(path.join(dir, 'source.bin'), bytes);
    await chmod(path.join(dir, 'source.bin'), 0o640);
    const before = freeBytes(cow);
    const reflinks = new Reflinks();
    const copied = await copyOne(path.join(dir, 'source.bin'), path.join(dir, 'restored.bin'), reflinks);
    const grew = before - freeBytes(cow);
    assert.equal(reflinks.cloned, 1);
    assert.equal(copied.bytes, bytes.length);
    assert.equal(copied.digest, sha256(bytes));
    assert.ok(grew < 5 * MIB, `the clone used ${grew} bytes of the file system`);
    assert.match(execFileSync('filefrag', ['-v', path.join(dir, 'restored.bin')]).toString(), /shared/);
    assert.equal(statSync(path.join(dir, 'restored.bin')).mode & 0o7777, 0o640);
    await rm(dir, { recursive: true });
  });

  const swapToLink = async (dir: string) => {
    const source = path.join(dir, 'chart.txt');
    await writeFile(source, 'the snapshot\'s chart\n');
    await writeFile(path.join(dir, 'secret'), 'not in the snapshot\n');
    return {
      source,
      // Between the open and the clone or copy: the budget's charge is the moment the copy asks for.
      swap: () => {
        renameSync(source, path.join(dir, 'moved-away'));
        symlinkSync(path.join(dir, 'secret'), source);
      },
    };
  };

  it('a source swapped to a link after its open is not followed, cloned or copied', async () => {
    for (const where of [cow, '/dev/shm']) {
      if (!existsSync(where)) continue;
      const dir = await mkdtemp(path.join(where, 'swap-'));
      try {
        const { source, swap } = await swapToLink(dir);
        const reflinks = new Reflinks();
        const copied = await copyOne(source, path.join(dir, 'restored.txt'), reflinks, swap);
        assert.ok(lstatSync(source).isSymbolicLink(), 'the swap happened');
        assert.equal(await readFile(path.join(dir, 'restored.txt'), 'utf8'), 'the snapshot\'s chart\n');
        assert.equal(copied.digest, sha256(Buffer.from('the snapshot\'s chart\n')));
        assert.equal(reflinks.cloned, where === cow ? 1 : 0);
        // Swapped before the open: refused, nothing created.
        await assert.rejects(copyOne(source, path.join(dir, 'second.txt'), reflinks), { code: 'ELOOP' });
        assert.equal(existsSync(path.join(dir, 'second.txt')), false);
      } finally {
        await rm(dir, { recursive: true });
      }
    }
  });

  it('a source grown after its size was charged is cut to that size in the clone, and the digest is of the restored bytes', async () => {
    const dir = await mkdtemp(path.join(cow, 'grow-'));
    const source = path.join(dir, 'log.txt');
    await writeFile(source, 'charged part\n');
    const reflinks = new Reflinks();
    const copied = await copyOne(source, path.join(dir, 'restored.txt'), reflinks, () => appendFileSync(source, Buffer.alloc(4 * MIB, 1)));
    assert.equal(reflinks.cloned, 1);
    assert.equal(await readFile(path.join(dir, 'restored.txt'), 'utf8'), 'charged part\n');
    assert.equal(copied.bytes, 13);
    assert.equal(copied.digest, sha256(Buffer.from('charged part\n')));
    await rm(dir, { recursive: true });
  });

  it('where clones fail (tmpfs, another mount) the hashing copy is used after one failed attempt a restore', async () => {
    const shm = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/rd-reflink-') : undefined;
    const snapshot = await mkdtemp(path.join(cow, 'snap-'));
    try {
      for (const [from, into] of [[shm, shm], [snapshot, tmp!.path]] as const) {
        if (!from || !into) continue;
        const reflinks = new Reflinks();
        for (const n of [1, 2, 3]) {
          await writeFile(path.join(from, `f${n}`), `file ${n}\n`);
          const copied = await copyOne(path.join(from, `f${n}`), path.join(into, `restored-${n}`), reflinks);
          assert.equal(copied.digest, sha256(Buffer.from(`file ${n}\n`)));
        }
        assert.deepEqual({ cloned: reflinks.cloned, failed: reflinks.failed }, { cloned: 0, failed: 1 });
        assert.match(reflinks.refused ?? '', /^(EXDEV|EOPNOTSUPP|ENOTSUP|EINVAL|ENOTTY)$/);
      }
    } finally {
      if (shm) await rm(shm, { recursive: true });
      await rm(snapshot, { recursive: true });
    }
  });

  describe('a directory drill with its sandbox on the same file system', () => {
    let root = '';
    const drill = async (name: string, yaml: string): Promise<DrillResult> => {
      const file = await writeScenario(path.join(root, 'scenarios', `${name}.yaml`), `name: ${name}\nsource: { kind: directory, path: ../snapshots/day-1 }\n${yaml}expect: { files: { manifest: ../share.sha256 } }\n`);
      const run = await runCli(['run', file, '--sandbox', 'local', '--json', '--results', path.join(root, 'results')], { env: { TMPDIR: path.join(cow, 'tmp') } });
      return onlyResult(run.stdout);
    };
    const filesCheck = (result: DrillResult) => result.checks.find((c) => c.kind === 'files')! as { status: string; details?: { reusedDigests: number } };

    before(async () => {
      root = path.join(cow, 'drill');
      await writeTree(path.join(root, 'snapshots', 'day-1'));
      await makeManifest(path.join(root, 'snapshots', 'day-1'), path.join(root, 'share.sha256'));
      await mkdir(path.join(root, 'scenarios'));
      await mkdir(path.join(cow, 'tmp'));
    });

    it('PASSes with the files cloned (a restore step sees shared extents) and every digest reused', async () => {
      const result = await drill('cow-reuse', "restore:\n  - run: 'filefrag -v images/big.raw | grep -q shared'\n");
      assert.equal(result.verdict, 'PASS', result.reason);
      assert.equal(filesCheck(result).details?.reusedDigests, FILES);
    });

    it('a byte flipped after the clone (same size, mtime put back) FAILs: that file is hashed again', async () => {
      const step = 'f=a/b.txt; t=$(stat -c %Y $f); printf X | dd of=$f conv=notrunc status=none; touch -d @$t $f';
      const result = await drill('cow-flip', `restore:\n  - run: '${step}'\n`);
      assert.equal(result.verdict, 'FAIL', result.reason);
      assert.match(JSON.stringify(result.checks), /a\/b\.txt changed/);
      assert.equal(filesCheck(result).details?.reusedDigests, FILES - 1);
      assert.equal(await readFile(path.join(root, 'snapshots', 'day-1', 'a', 'b.txt'), 'utf8'), 'inside a\n', 'the snapshot is untouched');
    });
  });
});

/**
 * Hostile archives against the real extractor, engines and CLI (local sandbox): gzip bombs stopped by
 * sandbox.restore_size within the limit, a restic snapshot and a restore step larger than the limit,
 * absolute symlinks restored as links (never followed), entries through a link refused, and names that
 * are not UTF-8 restored with their own bytes; in docker, only the drilled archive is mounted.
 */
import assert from 'node:assert/strict';
import { chmod, link, lstat, mkdir, readdir, readlink, readFile, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import type { Sandbox } from '../../harness/sandboxes/sandbox.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { DirectorySource } from '../../harness/sources/directory.ts';
import { TarSource } from '../../harness/sources/tar.ts';
import { measureTree } from '../../harness/sources/tool.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { dockerUnavailable } from '../helpers/docker.ts';
import { makeResticRepo, onlyResult, toolMissing } from '../helpers/engines.ts';
import { gnuTar, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { gzipBomb, tarArchive } from '../helpers/tar-bytes.ts';

const MiB = 1024 ** 2;
/** Longer than ustar's 100-byte name field: ustar splits it into prefix and name. */
const PREFIXED = `${'d'.repeat(90)}/${'e'.repeat(60)}/f.txt`;
const SHIFT_JIS_NAME = Buffer.concat([Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]), Buffer.from('.txt')]); // テスト.txt

describe('hostile archives (real extractor, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;
  const sandboxes: Sandbox[] = [];

  before(async () => {
    tmp = await tempDir('rd-hostile-');
    results = path.join(tmp.path, 'results');
  });
  afterEach(async () => {
    for (const sandbox of sandboxes.splice(0)) await sandbox.dispose();
  });
  after(async () => tmp?.remove());

  const sandbox = async (restoreSize?: string) => {
    const driver = new LocalSandboxDriver({ baseDir: path.join(tmp.path, 'sandboxes') });
    const made = await driver.provision({
      spec: sandboxSchema.parse(restoreSize ? { restore_size: restoreSize } : {}),
      backupPaths: [],
      scenario: 'hostile',
      runId: 'test',
      logDir: path.join(tmp.path, 'logs'),
    });
    sandboxes.push(made);
    return made;
  };
  const restoreArchive = async (file: string, into: Sandbox) => {
    const source = new TarSource({ path: file });
    const [point] = await source.points();
    return source.restore(point!, { sandbox: into, signal: new AbortController().signal, onProgress: () => undefined });
  };
  const drill = (file: string) => runCli(['run', file, '--sandbox', 'local', '--json', '--results', results], { env: { RD_TEST_RESTIC_PW: 'pw-hostile' } });

  it('FAILs a gzip bomb whose entry declares 2 GiB, before writing it, naming the entry and restore_size', async () => {
    const archive = path.join(tmp.path, 'bomb', 'bomb.tar.gz');
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, gzipBomb([{ name: 'zeros.bin', size: 2 * 1024 * MiB }]));
    const file = await writeScenario(path.join(tmp.path, 'scenarios', 'bomb.yaml'), 'name: bomb\nsource: { kind: tar, path: ../bomb/bomb.tar.gz }\nsandbox: { restore_size: 50m }\n');
    const started = performance.now();
    const result = onlyResult((await drill(file)).stdout);
    assert.ok(performance.now() - started < 20_000, 'the drill did not stop early');
    assert.equal(result.verdict, 'FAIL', result.reason);
    assert.equal(result.error?.code, 'RESTORE_TOO_LARGE');
    assert.match(result.error!.message, /zeros\.bin/);
    assert.match(result.error!.message, /50\.0 MiB/);
    assert.match(result.error!.message, /sandbox\.restore_size/);
  });

  it('stops a bomb of many small entries at the limit: the restore folder never holds more than restore_size', async () => {
    const archive = path.join(tmp.path, 'bomb-many', 'bomb.tar.gz');
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, gzipBomb(Array.from({ length: 64 }, (_, i) => ({ name: `zeros-${String(i).padStart(2, '0')}.bin`, size: 8 * MiB }))));
    const into = await sandbox('50m');
    const started = performance.now();
    await assert.rejects(restoreArchive(archive, into), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'RESTORE_TOO_LARGE');
      assert.match(err.message, /zeros-06\.bin/);
      return true;
    });
    assert.ok(performance.now() - started < 10_000, 'the extraction did not stop early');
    const written = await measureTree(into.hostRestoreDir);
    assert.ok(written.bytes <= 50 * MiB, `${written.bytes} bytes were written, more than restore_size`);
    assert.equal(written.files, 6);
  });

  it('refuses a directory snapshot file larger than restore_size before copying it', async () => {
    const snapshot = path.join(tmp.path, 'snapshot');
    await mkdir(snapshot, { recursive: true });
    await writeFile(path.join(snapshot, 'small.txt'), 'small\n');
    await writeFile(path.join(snapshot, 'sparse.img'), '');
    await truncate(path.join(snapshot, 'sparse.img'), 100 * MiB);
    const into = await sandbox('50m');
    const source = new DirectorySource({ path: snapshot });
    const [point] = await source.points();
    await assert.rejects(source.restore(point!, { sandbox: into, signal: new AbortController().signal, onProgress: () => undefined }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'RESTORE_TOO_LARGE');
      assert.match(err.message, /sparse\.img/);
      return true;
    });
    assert.deepEqual(await readdir(into.hostRestoreDir), ['small.txt']);
  });

  it('FAILs a restic snapshot larger than restore_size before restoring it', async function () {
    const missing = toolMissing('restic');
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const dir = path.join(tmp.path, 'restic');
    await mkdir(dir, { recursive: true });
    await makeResticRepo(dir, 'pw-hostile');
    const file = await writeScenario(
      path.join(dir, 'scenarios', 'restic-big.yaml'),
      'name: restic-big\nsource: { kind: restic, repository: ../restic-repo, password_env: RD_TEST_RESTIC_PW }\nsandbox: { restore_size: 10k }\n',
    );
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.verdict, 'FAIL', result.reason);
    assert.equal(result.error?.code, 'RESTORE_TOO_LARGE');
    assert.match(result.error!.message, /10\.0 KiB/);
  });

  it('FAILs a restore step that writes past restore_size, naming the limit, and stops it', async () => {
    const archive = path.join(tmp.path, 'small', 'small.tar');
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, tarArchive([{ name: 'a.txt', data: 'a\n' }]));
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'dd.yaml'),
      'name: dd\nsource: { kind: tar, path: ../small/small.tar }\nsandbox: { restore_size: 50m }\nrestore:\n  - run: "dd if=/dev/zero of=big bs=1M count=400 status=none; sleep 20"\n',
    );
    const started = performance.now();
    const result = onlyResult((await drill(file)).stdout);
    assert.ok(performance.now() - started < 15_000, 'the step was not stopped');
    assert.equal(result.verdict, 'FAIL', result.reason);
    assert.equal(result.error?.code, 'RESTORE_TOO_LARGE');
    assert.match(result.error!.message, /50\.0 MiB/);
    assert.match(result.error!.message, /sandbox\.restore_size/);
  });

  it('restores absolute symlinks (and ones pointing outside) as symlinks, never following them', async () => {
    const archive = path.join(tmp.path, 'links', 'links.tar');
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, tarArchive([
      { name: 'data/', type: 'directory' },
      { name: 'data/a.txt', data: 'a\n' },
      { name: 'data/hostname', type: 'symlink', link: '/etc/hostname' },
      { name: 'data/up', type: 'symlink', link: '../../outside' },
    ]));
    const into = await sandbox();
    const progress = await restoreArchive(archive, into);
    assert.equal(progress.files, 1);
    const link = path.join(into.hostRestoreDir, 'data', 'hostname');
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.equal(await readlink(link), '/etc/hostname');
    assert.equal(await readlink(path.join(into.hostRestoreDir, 'data', 'up')), '../../outside');
  });

  it('refuses an entry through a symlinked folder (a -> outside, then a/f): nothing is written outside', async () => {
    const outside = path.join(tmp.path, 'outside');
    await mkdir(outside, { recursive: true });
    const archive = path.join(tmp.path, 'through', 'through.tar');
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, tarArchive([
      { name: 'a', type: 'symlink', link: outside },
      { name: 'a/f', data: 'planted\n' },
      { name: 'b', type: 'symlink', link: '.' },
      { name: 'b/../x', data: 'ok\n' },
    ]));
    const into = await sandbox();
    await assert.rejects(restoreArchive(archive, into), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ARCHIVE_ENTRY_THROUGH_LINK');
      assert.match(err.message, /a\/f/);
      return true;
    });
    assert.deepEqual(await readdir(outside), []);
  });

  for (const format of ['gnu', 'posix', 'ustar']) {
    it(`restores what GNU tar writes in ${format} format: long names, hard links, modes, contents`, async () => {
      const tree = path.join(tmp.path, `tree-${format}`);
      const long = `${'長い名前/'.repeat(12)}${'x'.repeat(120)}.txt`;
      await writeTree(tree, { 'a.txt': 'a\n', [format === 'ustar' ? PREFIXED : long]: 'deep\n', 'bin/run.sh': '#!/bin/sh\n' });
      await chmod(path.join(tree, 'bin', 'run.sh'), 0o755);
      await link(path.join(tree, 'a.txt'), path.join(tree, 'a-again.txt'));
      const archive = path.join(tmp.path, `gnu-${format}`, 'share.tar.gz');
      await mkdir(path.dirname(archive), { recursive: true });
      gnuTar([`--format=${format}`, '-czf', archive, '.'], tree);
      const into = await sandbox();
      const progress = await restoreArchive(archive, into);
      assert.equal(progress.files, 4);
      const wanted = format === 'ustar' ? PREFIXED : long;
      assert.equal(await readFile(path.join(into.hostRestoreDir, wanted), 'utf8'), 'deep\n');
      assert.equal((await lstat(path.join(into.hostRestoreDir, 'bin', 'run.sh'))).mode & 0o777, 0o755);
      assert.equal((await lstat(path.join(into.hostRestoreDir, 'a-again.txt'))).ino, (await lstat(path.join(into.hostRestoreDir, 'a.txt'))).ino);
    });
  }

  it('restores an entry whose name is not UTF-8 (Shift_JIS) under its own bytes', async () => {
    const archive = path.join(tmp.path, 'sjis', 'sjis.tar');
    await mkdir(path.dirname(archive), { recursive: true });
    await writeFile(archive, tarArchive([{ name: Buffer.concat([Buffer.from('docs/'), SHIFT_JIS_NAME]), data: 'shift_jis\n' }]));
    const into = await sandbox();
    await restoreArchive(archive, into);
    const names = await readdir(path.join(into.hostRestoreDir, 'docs'), { encoding: 'buffer' });
    assert.deepEqual(names, [SHIFT_JIS_NAME]);
    assert.equal(await readFile(Buffer.concat([Buffer.from(`${into.hostRestoreDir}/docs/`), SHIFT_JIS_NAME])).then(String), 'shift_jis\n');
  });
});

describe('hostile archives (docker sandbox): mounts and the disk limit', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  before(async function () {
    const why = await dockerUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    tmp = await tempDir('rd-hostile-docker-');
  });
  after(async () => tmp?.remove());

  it('a sibling archive in the same folder is not visible in the container; the drilled one is', async () => {
    const backups = path.join(tmp.path, 'backups');
    await mkdir(backups, { recursive: true });
    await writeFile(path.join(backups, 'share-1-older.tar'), tarArchive([{ name: 'old.txt', data: 'older day\n' }]));
    await writeFile(path.join(backups, 'share-2-newer.tar'), tarArchive([{ name: 'new.txt', data: 'newer day\n' }]));
    await utimes(path.join(backups, 'share-1-older.tar'), new Date('2026-11-20T03:00:00Z'), new Date('2026-11-20T03:00:00Z'));
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'mounts.yaml'),
      'name: mounts\nsource: { kind: tar, path: "../backups/share-*.tar" }\nrestore:\n  - run: "test -e /backup/0/share-2-newer.tar && ! find /backup | grep -q older"\n',
    );
    const run = await runCli(['run', file, '--sandbox', 'docker', '--json', '--results', path.join(tmp.path, 'results')]);
    const result = onlyResult(run.stdout);
    assert.equal(result.restorePoint?.id, 'share-2-newer.tar');
    assert.equal(result.verdict, 'PASS', result.reason);
  });

  it('stops a restore step in the container that writes past restore_size, and FAILs naming the limit', async () => {
    const backups = path.join(tmp.path, 'dd-backups');
    await mkdir(backups, { recursive: true });
    await writeFile(path.join(backups, 'small.tar'), tarArchive([{ name: 'a.txt', data: 'a\n' }]));
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'dd.yaml'),
      'name: dd-docker\nsource: { kind: tar, path: ../dd-backups/small.tar }\nsandbox: { restore_size: 50m }\nrestore:\n  - run: "dd if=/dev/zero of=/restore/big bs=1M count=400 status=none; sleep 20"\n',
    );
    const started = performance.now();
    const result = onlyResult((await runCli(['run', file, '--sandbox', 'docker', '--json', '--results', path.join(tmp.path, 'results')])).stdout);
    assert.ok(performance.now() - started < 20_000, 'the step was not stopped');
    assert.equal(result.verdict, 'FAIL', result.reason);
    assert.equal(result.error?.code, 'RESTORE_TOO_LARGE');
    assert.match(result.error!.message, /sandbox\.restore_size \(50\.0 MiB\)/);
  });
});

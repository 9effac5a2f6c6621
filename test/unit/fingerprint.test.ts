/** The backup fingerprint: a backup that changes between before and after the drill is BACKUP_CHANGED. */
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfrastructureError } from '../../harness/errors.ts';
import { fingerprintBackup } from '../../harness/sources/fingerprint.ts';
import { tempDir } from '../helpers/cli.ts';

describe('backup fingerprint', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    tmp = await tempDir('rd-fingerprint-');
  });
  afterEach(() => tmp.remove());

  async function archiveAndRepo() {
    const archive = path.join(tmp.path, 'share.tar');
    await writeFile(archive, Buffer.alloc(64 * 1024, 1));
    const repo = path.join(tmp.path, 'repo');
    await mkdir(path.join(repo, 'data', '00'), { recursive: true });
    await writeFile(path.join(repo, 'config'), 'config');
    await writeFile(path.join(repo, 'data', '00', 'pack'), 'pack');
    return { archive, repo };
  }

  it('passes an untouched backup (files and folders)', async () => {
    const { archive, repo } = await archiveAndRepo();
    const print = await fingerprintBackup([archive, repo]);
    await readFile(archive);
    assert.equal(await print.changes(), undefined);
  });

  it('names an archive appended to', async () => {
    const { archive } = await archiveAndRepo();
    const print = await fingerprintBackup([archive]);
    await appendFile(archive, 'x');
    const error = await print.changes();
    assert.ok(error instanceof InfrastructureError);
    assert.equal(error.code, 'BACKUP_CHANGED');
    assert.ok(error.message.includes(archive), error.message);
    assert.match(error.message, /size 65536 → 65537/);
  });

  it('catches a same-size rewrite whose times were put back (the digest and ctime differ)', async () => {
    const { archive } = await archiveAndRepo();
    const { atime, mtime } = await stat(archive);
    const print = await fingerprintBackup([archive]);
    await writeFile(archive, Buffer.alloc(64 * 1024, 2));
    await utimes(archive, atime, mtime);
    const error = await print.changes();
    assert.equal(error?.code, 'BACKUP_CHANGED');
    assert.match(error!.message, /content/);
  });

  it('names a file planted in, and a file removed from, a repository folder', async () => {
    const { repo } = await archiveAndRepo();
    const print = await fingerprintBackup([repo]);
    await writeFile(path.join(repo, 'data', '00', 'planted'), 'x');
    const { rm } = await import('node:fs/promises');
    await rm(path.join(repo, 'config'));
    const error = await print.changes();
    assert.equal(error?.code, 'BACKUP_CHANGED');
    assert.match(error!.message, /data\/00\/planted \(appeared\)/);
    assert.match(error!.message, /config \(removed\)/);
  });

  it('leaves out the results folder when it lies inside the backup folder (cd /backups; run), and nothing else', async () => {
    const backups = path.join(tmp.path, 'backups');
    await mkdir(backups);
    await writeFile(path.join(backups, 'share-1.tar'), 'tar');
    const results = path.join(backups, 'results');
    const print = await fingerprintBackup([backups], { resultsRoot: results });
    await mkdir(path.join(results, 'share', 'run-1'), { recursive: true });
    await writeFile(path.join(results, 'share', 'run-1', 'result.json'), '{}');
    assert.equal(await print.changes(), undefined, 'the results are not the backup');
    await writeFile(path.join(backups, 'share-2.tar'), 'planted');
    const error = await print.changes();
    assert.equal(error?.code, 'BACKUP_CHANGED');
    assert.match(error!.message, /share-2\.tar \(appeared\)/);
    assert.doesNotMatch(error!.message, /results/);
  });
});

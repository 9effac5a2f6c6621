/** expect.files.manifest forms: a host file, a template chosen by the point, a manifest inside the point (hostile). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, readdir, symlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeClock } from '../../harness/clock.ts';
import { manifestLocator } from '../../harness/checks/expected-manifest.ts';
import { FilesCheck } from '../../harness/checks/files.ts';
import { folderView } from '../../harness/drill/folder-view.ts';
import { DrillError } from '../../harness/errors.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { expandTemplate, templateFolder, templateProblem } from '../../harness/manifest/manifest-template.ts';
import { filesCheckSchema } from '../../harness/scenario/schema.ts';
import type { RestorePoint } from '../../harness/sources/source.ts';
import { tempDir } from '../helpers/cli.ts';
import { makeManifest, writeTree } from '../helpers/fixtures.ts';

const point: RestorePoint = { id: 'share-20261201.tar.gz', time: new Date('2026-12-01T17:30:05Z'), location: '/backups/share-20261201.tar.gz' };

describe('manifest templates ({id}, {time:...}, {utc:...})', () => {
  it('expands the point id and its time in the given zone or UTC', () => {
    assert.equal(expandTemplate('m/{id}.sha256', point), 'm/share-20261201.tar.gz.sha256');
    assert.equal(expandTemplate('m/{time:YYYY-MM-DD_HHmm}.sha256', point, 'Asia/Tokyo'), 'm/2026-12-02_0230.sha256');
    assert.equal(expandTemplate('m/{utc:YYYYMMDD-HHmmss}.sha256', point, 'Asia/Tokyo'), 'm/20261201-173005.sha256');
  });

  it('refuses an id that would lead elsewhere on the host (a hostile archive name)', () => {
    assert.equal(expandTemplate('m/{id}.sha256', { ...point, id: '../../etc/passwd' }), undefined);
    assert.equal(expandTemplate('m/{id}', { ...point, id: '..' }), undefined);
  });

  it('names what is wrong with a template, and its fixed folder', () => {
    assert.match(templateProblem('m/{date}.sha256')!, /unknown placeholder \{date\}/);
    assert.match(templateProblem('m/{time:dd}.sha256')!, /names no part of the time/);
    assert.match(templateProblem('m/{id.sha256')!, /unbalanced/);
    assert.equal(templateProblem('m/{id}-{time:YYYY}.sha256'), undefined);
    assert.equal(templateFolder('manifests/share/{id}.sha256'), 'manifests/share');
    assert.equal(templateFolder('{id}.sha256'), '.');
  });

  it('the scenario schema takes a file, a template and { inside }, and refuses a path out of the restore', () => {
    for (const manifest of ['share.sha256', 'manifests/{id}.sha256', { inside: 'share/.restore-drill.sha256' }]) {
      assert.equal(filesCheckSchema.safeParse({ manifest }).success, true, JSON.stringify(manifest));
    }
    for (const manifest of [{ inside: '../x.sha256' }, { inside: '/etc/x' }, 'm/{nope}.sha256', { inside: 'x', more: 1 }]) {
      assert.equal(filesCheckSchema.safeParse({ manifest }).success, false, JSON.stringify(manifest));
    }
  });
});

describe('the files check with a manifest that follows the point (real files and hashes)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pool: HashPool;
  const clock = new FakeClock(new Date('2026-12-02T03:00:00Z'));
  beforeEach(async () => (tmp = await tempDir()));
  afterEach(() => tmp.remove());
  before(() => (pool = new HashPool({ workers: 1 })));
  after(() => pool.close());

  const run = (spec: unknown, tree: string, at: RestorePoint = point) => {
    const parsed = filesCheckSchema.parse(spec);
    const check = new FilesCheck(parsed, manifestLocator(parsed.manifest, (f) => path.resolve(tmp.path, f)));
    const signal = new AbortController().signal;
    return check.run({ sandbox: folderView(tree), pool, clock, signal, onProgress: () => {}, points: { current: at, manifestOf: () => Promise.reject(new Error('not used')) } });
  };
  const manifestTemps = async () => (await readdir(os.tmpdir())).filter((n) => n.startsWith('restore-drill-manifest-'));

  it('inside: verifies the tree against the manifest restored with it, leaving the manifest itself out', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'share/a.txt': 'a\n', 'share/b/c.txt': 'c\n' });
    await makeManifest(path.join(tree, 'share'), path.join(tmp.path, 'm.sha256'));
    await copyFile(path.join(tmp.path, 'm.sha256'), path.join(tree, 'share/.restore-drill.sha256'));
    const before = await manifestTemps();
    const result = await run({ manifest: { inside: 'share/.restore-drill.sha256' }, path: 'share' }, tree);
    assert.equal(result.status, 'pass', result.summary);
    assert.equal(result.details?.verifiedFiles, 2);
    assert.match(result.details!.manifest, /share\/\.restore-drill\.sha256 \(in restore point share-20261201\.tar\.gz\)/);
    assert.equal(result.name, 'files match .restore-drill.sha256 (in the point)');
    assert.deepEqual(await manifestTemps(), before, 'the copy of the manifest is removed');
  });

  it('inside: a changed file FAILs naming it', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    await makeManifest(tree, path.join(tmp.path, 'm.sha256'));
    await copyFile(path.join(tmp.path, 'm.sha256'), path.join(tree, 'MANIFEST.sha256'));
    await writeFile(path.join(tree, 'b.txt'), 'B\n');
    const result = await run({ manifest: { inside: 'MANIFEST.sha256' } }, tree);
    assert.equal(result.status, 'fail');
    assert.deepEqual(result.findings.map((f) => `${f.rule} ${f.subject}`), ['changed b.txt']);
  });

  it('inside: a point without its manifest FAILs (MANIFEST_NOT_IN_POINT) naming the path and the point', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'a.txt': 'a\n' });
    await assert.rejects(run({ manifest: { inside: 'share/.restore-drill.sha256' } }, tree), (err: DrillError) => {
      assert.equal(err.code, 'MANIFEST_NOT_IN_POINT');
      assert.equal(err.kind, 'backup');
      assert.match(err.message, /share\/\.restore-drill\.sha256 .* is not in restore point share-20261201\.tar\.gz/);
      return true;
    });
  });

  it('inside: a manifest that is a link out of the restore, or a FIFO, is never read', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'a.txt': 'a\n' });
    const secret = path.join(tmp.path, 'host-secret.sha256');
    await makeManifest(tree, secret);
    await symlink(secret, path.join(tree, 'LINK.sha256'));
    await mkdir(path.join(tree, 'x'));
    await symlink(tmp.path, path.join(tree, 'x', 'up'));
    assert.equal(spawnSync('mkfifo', [path.join(tree, 'FIFO.sha256')]).status, 0);
    for (const [inside, said] of [['LINK.sha256', /symbolic link to .*host-secret/], ['x/up/host-secret.sha256', /outside the restore folder/], ['FIFO.sha256', /FIFO/]] as const) {
      await assert.rejects(run({ manifest: { inside } }, tree), (err: DrillError) => {
        assert.equal(err.code, 'MANIFEST_NOT_IN_POINT', inside);
        assert.match(err.message, said);
        return true;
      });
    }
  });

  it('template: each point is verified against its own file; a point without one FAILs naming the template and the point', async () => {
    const tree = path.join(tmp.path, 'restored');
    await writeTree(tree, { 'a.txt': 'night 1\n' });
    await mkdir(path.join(tmp.path, 'manifests'));
    await makeManifest(tree, path.join(tmp.path, 'manifests', `${point.id}.sha256`));
    const spec = { manifest: 'manifests/{id}.sha256' };
    assert.equal((await run(spec, tree)).status, 'pass');
    const other = { ...point, id: 'share-20261202.tar.gz' };
    await assert.rejects(run(spec, tree, other), (err: DrillError) => {
      assert.equal(err.code, 'MANIFEST_NOT_FOR_POINT');
      assert.match(err.message, /no manifest for restore point share-20261202\.tar\.gz .*the template manifests\/\{id\}\.sha256 .*names .*manifests\/share-20261202\.tar\.gz\.sha256/);
      return true;
    });
  });
});

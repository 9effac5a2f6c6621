/**
 * restic's point streamed with `restic dump` into the hashing extractor (sources/restic-dump.ts),
 * against a real repository made here and the real local sandbox (bubblewrap): the dump path is the
 * one a drill takes (the files check reuses the digests), it restores the same tree as `restic
 * restore` (whole snapshot, a folder sample, a file sample), restic's failures keep their typed
 * errors, and a budget refusal stops restic.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, lstat, lutimes, mkdir, readdir, readFile, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import type { Sandbox } from '../../harness/sandboxes/sandbox.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { ResticSource } from '../../harness/sources/restic.ts';
import type { RestorePoint } from '../../harness/sources/source.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { dockerUnavailable } from '../helpers/docker.ts';
import { onlyResult, toolMissing } from '../helpers/engines.ts';
import { makeManifest, writeScenario } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const PASSWORD = 'Restic-Dump-Pw-2b7e';

/** Every entry under root: path, type, mode, mtime (seconds), size, content or link target. */
async function describeTree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const info = await lstat(full);
      const what = info.isSymbolicLink() ? `link ${await readlink(full)}` : info.isDirectory() ? 'dir' : `file ${info.size} ${(await readFile(full)).toString('base64').slice(0, 40)}`;
      lines.push(`${path.relative(root, full)} ${(info.mode & 0o7777).toString(8)} ${Math.floor(info.mtimeMs / 1000)} ${what}`);
      if (info.isDirectory()) await walk(full);
    }
  };
  await walk(root);
  return lines;
}

describe('restic dump into the hashing extractor (real restic, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let repository: string;
  let point: RestorePoint;
  const driver = () => new LocalSandboxDriver({ baseDir: path.join(tmp.path, 'sandboxes') });
  const sandboxes: Sandbox[] = [];

  before(async function () {
    const missing = toolMissing('restic');
    if (missing) skipBecause(this, missing);
    tmp = await tempDir('rd-restic-dump-');
    const data = path.join(tmp.path, 'data');
    await mkdir(path.join(data, 'ward', 'deep'), { recursive: true });
    await writeFile(path.join(data, 'ward', 'note.txt'), 'note\n');
    await writeFile(path.join(data, 'ward', 'deep', 'scan.raw'), Buffer.alloc(3 * 1024 * 1024, 7));
    await writeFile(path.join(data, 'readme.txt'), 'readme\n');
    await chmod(path.join(data, 'readme.txt'), 0o640);
    await symlink('../readme.txt', path.join(data, 'ward', 'readme-link'));
    await chmod(path.join(data, 'ward', 'deep'), 0o750);
    const old = new Date('2026-10-01T08:00:00Z');
    // Whole seconds: restic's tar rounds times to the second (restore gives nanoseconds), so a tree of
    // whole-second times is restored identically both ways.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    await lutimes(path.join(data, 'ward', 'readme-link'), now, now);
    for (const p of ['ward/note.txt', 'ward/deep', 'readme.txt', 'ward']) await utimes(path.join(data, p), old, old);
    for (const p of ['ward/deep/scan.raw', '.']) await utimes(path.join(data, p), now, now);
    repository = path.join(tmp.path, 'restic-repo');
    for (const args of [['init', '-q'], ['-q', 'backup', 'data']]) {
      const made = spawnSync('restic', ['-r', repository, ...args], { cwd: tmp.path, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp.path, RESTIC_PASSWORD: PASSWORD } });
      assert.equal(made.status, 0, made.stderr);
    }
    point = (await source().points())[0]!;
    await makeManifest(data, path.join(tmp.path, 'expected.sha256'));
  });
  afterEach(async () => {
    while (sandboxes.length > 0) await sandboxes.pop()!.dispose();
  });
  after(() => tmp?.remove());

  function source(options: { paths?: string[]; password?: string; repository?: string } = {}): ResticSource {
    return new ResticSource({ repository: options.repository ?? repository, password: { env: 'PW', field: 'source.password_env' }, paths: options.paths, timeoutMs: 30_000, env: { PW: options.password ?? PASSWORD } });
  }

  async function sandbox(spec: Record<string, unknown> = {}, streaming = true): Promise<Sandbox> {
    const made = await driver().provision({ spec: sandboxSchema.parse(spec), backupPaths: [repository], scenario: 'restic-dump-it', runId: `it-${process.pid}-${sandboxes.length}`, logDir: path.join(tmp.path, 'logs') });
    sandboxes.push(made);
    if (streaming) return made;
    // The same sandbox without a streaming exec: the source falls back to `restic restore`.
    const plain = Object.create(made) as Sandbox;
    Object.defineProperty(plain, 'execStream', { value: undefined });
    return plain;
  }

  async function restored(paths: string[] | undefined, streaming: boolean): Promise<string[]> {
    const box = await sandbox({}, streaming);
    await source({ paths }).restore(point, { sandbox: box, signal: new AbortController().signal, onProgress: () => undefined });
    return describeTree(box.hostRestoreDir);
  }

  it('a drill takes the dump path: the files check reuses the digests written while extracting', async () => {
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'dump.yaml'),
      `name: restic-dump\nsource: { kind: restic, repository: ../restic-repo, password_env: RD_PW }\nexpect:\n  files: { manifest: ../expected.sha256, path: data }\n`,
    );
    const run = await runCli(['run', file, '--sandbox', 'local', '--json', '--results', path.join(tmp.path, 'results')], { env: { RD_PW: PASSWORD } });
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    const files = result.checks.find((check) => check.kind === 'files')!;
    assert.equal((files.details as { reusedDigests: number }).reusedDigests, 3, 'every file digest came from the extraction');
  });

  it('in the docker sandbox too: restic dump in the container, streamed out, the digests reused', async function () {
    const why = await dockerUnavailable();
    if (why) skipBecause(this, why);
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'dump-docker.yaml'),
      `name: restic-dump-docker\nsource: { kind: restic, repository: ../restic-repo, password_env: RD_PW }\nexpect:\n  files: { manifest: ../expected.sha256, path: data }\n`,
    );
    const run = await runCli(['run', file, '--sandbox', 'docker', '--json', '--results', path.join(tmp.path, 'results')], { env: { RD_PW: PASSWORD } });
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    const files = result.checks.find((check) => check.kind === 'files')!;
    assert.equal((files.details as { reusedDigests: number }).reusedDigests, 3);
    assert.match(await readFile(path.join(result.resultsDir, 'logs', 'exec.log'), 'utf8'), /restic --no-lock --no-cache -r \/backup.* dump --archive tar/);
  });

  it('restores the same tree as restic restore: the whole snapshot, a folder sample and a file sample', async () => {
    for (const paths of [undefined, ['/data/ward'], ['/data/readme.txt'], ['/data/ward/deep', '/data/readme.txt']]) {
      const dumped = await restored(paths, true);
      assert.deepEqual(dumped, await restored(paths, false), `sample ${JSON.stringify(paths)}`);
      assert.ok(dumped.length > 0);
    }
  });

  it('a sample path not in the snapshot: SAMPLE_PATH_MISSING, as with restore', async () => {
    const box = await sandbox();
    await assert.rejects(source({ paths: ['/data/nowhere'] }).restore(point, { sandbox: box, signal: new AbortController().signal, onProgress: () => undefined }), { code: 'SAMPLE_PATH_MISSING' });
  });

  it('restic failures keep their typed errors: wrong password, no repository, unknown snapshot', async () => {
    const box = await sandbox();
    const context = { sandbox: box, signal: new AbortController().signal, onProgress: () => undefined };
    await assert.rejects(source({ password: 'not-the-right-password-at-all' }).restore(point, context), { code: 'REPOSITORY_PASSWORD_WRONG' });
    await assert.rejects(source().restore({ ...point, id: 'deadbeef'.repeat(8) }, context), { code: 'RESTORE_POINT_NOT_FOUND' });
    const gone = path.join(tmp.path, 'restic-repo-gone');
    await mkdir(gone);
    await assert.rejects(source({ repository: gone }).restore(point, context), { code: 'REPOSITORY_NOT_FOUND' });
  });

  it('a budget refusal stops restic: RESTORE_TOO_LARGE and no restic left running', async () => {
    const box = await sandbox({ restore_size: '1MB' });
    await assert.rejects(source({ paths: ['/data/ward'] }).restore(point, { sandbox: box, signal: new AbortController().signal, onProgress: () => undefined }), { code: 'RESTORE_TOO_LARGE' });
    const left = spawnSync('pgrep', ['-f', `restic.*${repository}.*dump`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'restic dump still runs');
  });
});

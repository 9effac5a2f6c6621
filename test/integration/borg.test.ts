/**
 * The borg source against a real borg repository made here: archives as points, at:<time>, a sample,
 * a wrong passphrase (ERROR), a missing archive (FAIL), and the repository left exactly as it was,
 * also when it is on read-only media. The real CLI, local sandbox.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BorgSource } from '../../harness/sources/borg.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeBorgRepo, onlyResult, toolMissing, treeDigest, DATA_V2, type EngineRepo } from '../helpers/engines.ts';
import { makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const PASSPHRASE = 'Borg-Passphrase-8c2e-never-logged';

describe('borg source (real repository, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let repo: EngineRepo;
  let digestBefore: string;
  let results: string;

  before(async function () {
    const missing = toolMissing('borg');
    if (missing) skipBecause(this, missing);
    tmp = await tempDir('rd-borg-');
    results = path.join(tmp.path, 'results');
    repo = await makeBorgRepo(tmp.path, PASSPHRASE);
    const expected = path.join(tmp.path, 'v2');
    await writeTree(expected, DATA_V2);
    await makeManifest(expected, path.join(tmp.path, 'expected', 'v2.sha256'));
    digestBefore = await treeDigest(repo.repository);
  });
  after(async () => {
    if (repo) assert.equal(await treeDigest(repo.repository), digestBefore, 'the repository was written to');
    await tmp?.remove();
  });

  const scenario = (name: string, source: string, rest = '') =>
    writeScenario(
      path.join(tmp.path, 'scenarios', `${name}.yaml`),
      `name: ${name}\nsource:\n  kind: borg\n  repository: ../borg-repo\n  password_file: ../passphrase.txt\n${source}${rest}`,
    );
  const drill = async (file: string, extra: string[] = [], passphrase = PASSPHRASE) => {
    await writeScenario(path.join(tmp.path, 'passphrase.txt'), passphrase + '\n');
    return runCli(['run', file, '--sandbox', 'local', '--json', '--results', results, ...extra]);
  };

  it('lists the archives newest first, by name, with their time', async () => {
    const source = new BorgSource({ repository: repo.repository, password: { env: 'PW', field: 'source.password_env' }, timeoutMs: 60_000, env: { PW: PASSPHRASE } });
    const points = await source.points();
    assert.deepEqual(points.map((p) => p.id), ['nightly-2', 'nightly-1']);
    assert.equal(points[0]!.time.getTime(), repo.points[1]!.time.getTime());
    assert.ok(points[0]!.host);
    const expected = Object.values(DATA_V2).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
    assert.equal(await source.totalSize(points[0]!), expected);
  });

  it('extracts the latest archive and PASSes against its manifest; the passphrase appears nowhere', async () => {
    const file = await scenario('borg-latest', '', 'expect:\n  files: { manifest: ../expected/v2.sha256 }\n');
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(result.restorePoint?.id, 'nightly-2');
    assert.equal(result.restored?.files, 4);
    assert.ok(!run.stdout.includes(PASSPHRASE) && !run.stderr.includes(PASSPHRASE));
  });

  it('picks the archive at or before at:<time>', async () => {
    const file = await scenario('borg-at', '  point: at:2026-11-20T23:59:59Z\n');
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.restorePoint?.id, 'nightly-1');
    assert.equal(result.restored?.files, 3);
  });

  it('extracts a sample and forecasts the full restore', async () => {
    const file = await scenario('borg-sample', '  paths: [data/images]\n');
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(result.restored?.files, 1);
    assert.ok(result.rto.forecast && result.rto.forecast.totalBytes > result.rto.forecast.sampleBytes);
  });

  it('is an ERROR with a wrong passphrase', async () => {
    const file = await scenario('borg-wrong-passphrase', '');
    const run = await drill(file, [], 'wrong-passphrase');
    const result = onlyResult(run.stdout);
    assert.equal(run.code, 3);
    assert.equal(result.error?.code, 'REPOSITORY_PASSWORD_WRONG');
    assert.match(result.error!.message, /passphrase\.txt/);
  });

  it('FAILs when the archive does not exist', async () => {
    const file = await scenario('borg-missing-archive', '');
    const run = await drill(file, ['--point', 'nightly-9']);
    const result = onlyResult(run.stdout);
    assert.equal(run.code, 1);
    assert.equal(result.error?.code, 'RESTORE_POINT_NOT_FOUND');
  });

  it('reads a repository on read-only media (a read-only bind mount)', async function () {
    // Root may bind-mount in a private mount namespace; elsewhere this test has nothing to prove.
    const probe = spawnSync('unshare', ['-m', 'true']);
    if (probe.status !== 0) skipBecause(this, `this host does not allow a private mount namespace (unshare -m: ${probe.stderr?.toString().trim() || `exit ${probe.status}`})`);
    const file = await scenario('borg-readonly', '', 'expect:\n  files: { manifest: ../expected/v2.sha256 }\n');
    await writeScenario(path.join(tmp.path, 'passphrase.txt'), PASSPHRASE + '\n');
    const r = repo.repository;
    const script = `mount --bind ${r} ${r} && mount -o remount,ro,bind ${r} && ! touch ${r}/probe 2>/dev/null && exec "$@"`;
    const run = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', process.execPath, path.resolve('harness/cli/main.ts'), 'run', file, '--sandbox', 'local', '--json', '--results', results], {
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    });
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', `${result.reason} ${run.stderr}`);
  });
});

/**
 * The restic source against a real restic repository made here: points, restores of a whole snapshot
 * and of a sample, selection by at:<time> and short id, a wrong password (ERROR), a missing snapshot
 * (FAIL), and the repository left exactly as it was. The real CLI, local sandbox.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ResticSource } from '../../harness/sources/restic.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeResticRepo, onlyResult, toolMissing, treeDigest, DATA_V2, type EngineRepo } from '../helpers/engines.ts';
import { makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const PASSWORD = 'Restic-Pw-4f9a1c-never-logged';

describe('restic source (real repository, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let repo: EngineRepo;
  let digestBefore: string;
  let results: string;

  before(async function () {
    const missing = toolMissing('restic');
    if (missing) skipBecause(this, missing);
    tmp = await tempDir('rd-restic-');
    results = path.join(tmp.path, 'results');
    repo = await makeResticRepo(tmp.path, PASSWORD);
    const expected = path.join(tmp.path, 'v2');
    await writeTree(expected, DATA_V2);
    await makeManifest(path.join(expected, 'data'), path.join(tmp.path, 'expected', 'v2.sha256'));
    digestBefore = await treeDigest(repo.repository);
  });
  after(async () => {
    if (repo) assert.equal(await treeDigest(repo.repository), digestBefore, 'the repository was written to');
    await tmp?.remove();
  });

  const scenario = (name: string, source: string, rest = '') =>
    writeScenario(
      path.join(tmp.path, 'scenarios', `${name}.yaml`),
      `name: ${name}\nsource:\n  kind: restic\n  repository: ../restic-repo\n  password_env: RD_TEST_RESTIC_PW\n${source}${rest}`,
    );
  const drill = (file: string, extra: string[] = [], password = PASSWORD) =>
    runCli(['run', file, '--sandbox', 'local', '--json', '--results', results, ...extra], { env: { RD_TEST_RESTIC_PW: password } });

  it('lists the snapshots newest first, with host, paths and time', async () => {
    const source = new ResticSource({ repository: repo.repository, password: { env: 'PW', field: 'source.password_env' }, timeoutMs: 60_000, env: { PW: PASSWORD } });
    const points = await source.points();
    assert.deepEqual(points.map((p) => p.id), [repo.points[1]!.id, repo.points[0]!.id]);
    assert.equal(points[0]!.host, 'ward-a');
    assert.equal(points[0]!.time.toISOString(), '2026-11-21T03:00:00.000Z');
    assert.ok(points[0]!.paths?.[0]?.endsWith('/data'));
    const size = await source.totalSize(points[0]!);
    const expected = Object.values(DATA_V2).reduce((sum, content) => sum + Buffer.byteLength(content), 0);
    assert.equal(size, expected);
  });

  it('restores the latest snapshot and PASSes against its manifest; the password appears nowhere', async () => {
    const file = await scenario('restic-latest', '', 'expect:\n  files: { manifest: ../expected/v2.sha256, path: data }\n');
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(run.code, 0);
    assert.equal(result.restorePoint?.id, repo.points[1]!.id);
    assert.equal(result.restorePoint?.sourceKind, 'restic');
    assert.equal(result.restored?.files, 4);
    const written = [await readFile(path.join(result.resultsDir, 'result.json'), 'utf8'), await readFile(path.join(result.resultsDir, 'logs', 'exec.log'), 'utf8')];
    assert.match(written[1]!, /restic --no-lock --no-cache -r .* restore/);
    for (const text of [...written, run.stdout, run.stderr]) assert.ok(!text.includes(PASSWORD), 'the password leaked');
  });

  it('picks the newest snapshot at or before at:<time>, and a snapshot by its short id', async () => {
    const file = await scenario('restic-at', '');
    const at = onlyResult((await drill(file, ['--point', 'at:2026-11-20T12:00:00Z'])).stdout);
    assert.equal(at.restorePoint?.id, repo.points[0]!.id);
    assert.equal(at.restored?.files, 3);
    const byShortId = onlyResult((await drill(file, ['--point', repo.points[0]!.id.slice(0, 8)])).stdout);
    assert.equal(byShortId.restorePoint?.id, repo.points[0]!.id);
    assert.equal(byShortId.verdict, 'PASS', 'without an RPO target an old point is not LATE');
  });

  it('restores a sample and forecasts the full restore from the snapshot size', async () => {
    const file = await scenario('restic-sample', '  paths: [/data/紹介状]\n', 'targets: { rto: 1h }\n');
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(result.restored?.files, 3, 'only the three letters');
    const forecast = result.rto.forecast;
    assert.ok(forecast, 'a sample restore has a forecast');
    assert.equal(forecast.totalBytes, result.restorePoint?.sizeBytes);
    assert.ok(forecast.totalBytes > forecast.sampleBytes);
    assert.match(forecast.basis, /^FORECAST/);
    assert.ok(forecast.forecastMs >= forecast.forecastRestoreMs);
  });

  it('FAILs when a sample path is not in the snapshot', async () => {
    const file = await scenario('restic-sample-missing', '  paths: [/data/no-such-folder]\n');
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'FAIL');
    assert.equal(result.error?.code, 'SAMPLE_PATH_MISSING');
  });

  it('is an ERROR (exit 3) with a wrong password, naming the variable and never the password', async () => {
    const file = await scenario('restic-wrong-password', '');
    const run = await drill(file, [], 'not-the-password');
    const result = onlyResult(run.stdout);
    assert.equal(run.code, 3);
    assert.equal(result.verdict, 'ERROR');
    assert.equal(result.error?.code, 'REPOSITORY_PASSWORD_WRONG');
    assert.match(result.error!.message, /RD_TEST_RESTIC_PW/);
    assert.ok(!run.stdout.includes('not-the-password'));
  });

  it('FAILs (exit 1) when the snapshot id does not exist, listing the newest ones', async () => {
    const file = await scenario('restic-missing-snapshot', '');
    const run = await drill(file, ['--point', 'deadbeef']);
    const result = onlyResult(run.stdout);
    assert.equal(run.code, 1);
    assert.equal(result.verdict, 'FAIL');
    assert.equal(result.error?.code, 'RESTORE_POINT_NOT_FOUND');
    assert.ok(result.error!.message.includes(repo.points[1]!.id));
  });

  it('removes its sandboxes', async () => {
    const leftovers = (await readdir(path.dirname(tmp.path))).filter((name) => name.startsWith('restore-drill-restic-'));
    assert.deepEqual(leftovers, []);
  });
});

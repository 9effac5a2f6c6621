/**
 * The drill as a routine, through the real CLI on real tar archives made here (local sandbox): a point
 * at random within a window, repeated by its seed; `points` showing each point's last drill;
 * `evidence points` listing the runs that proved each point.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';

const DAY = 86_400_000;

describe('routine drills: random points, last drills (local sandbox, real archives)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;
  let scenario: string;

  before(async () => {
    tmp = await tempDir('rd-routine-');
    results = path.join(tmp.path, 'results');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree, { 'README.txt': 'department share\n', '紹介状/紹介状_0001.txt': '傷病名: 高血圧症\n' });
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    // Five nightly archives within the last week, and one from 40 days ago (outside a 30d window).
    for (const age of [1, 2, 3, 4, 5, 40]) await makeArchive(tree, path.join(tmp.path, 'backups', `share-${String(age).padStart(2, '0')}d.tar`), new Date(Date.now() - age * DAY));
    scenario = await writeScenario(
      path.join(tmp.path, 'scenarios', 'share.yaml'),
      'name: share\nsource: { kind: tar, path: ../backups/share-*.tar }\nexpect: { files: { manifest: ../expected/share.sha256 } }\n',
    );
  });
  after(() => tmp.remove());

  const drill = async (args: string[], file = scenario) => {
    const run = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json', ...args]);
    const result = (JSON.parse(run.stdout) as { results: DrillResult[] }).results[0]!;
    return { ...run, result };
  };

  it('run --point random-within:30d --seed 7 picks the same point twice, within the window, and records the seed', async () => {
    const first = await drill(['--point', 'random-within:30d', '--seed', '7']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.result.verdict, 'PASS', first.result.reason);
    assert.deepEqual({ ...first.result.restorePoint?.selection, available: undefined }, { selector: 'random-within:30d', seed: 7, candidates: 5, available: undefined });
    assert.equal(first.result.restorePoint?.selection?.available?.count, 6);
    assert.notEqual(first.result.restorePoint?.id, 'share-40d.tar');
    assert.ok(first.result.notes.some((n) => /random-within:30d: chose .* with seed 7/.test(n)));
    const again = await drill(['--point', 'random-within:30d', '--seed', '7']);
    assert.equal(again.result.restorePoint?.id, first.result.restorePoint?.id);
    // Other seeds reach other points: the choice is not always the newest.
    const ids = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) ids.add((await drill(['--point', 'random-within:30d', '--seed', String(seed)])).result.restorePoint!.id);
    assert.ok(ids.size >= 2, `six seeds chose only ${[...ids].join(', ')}`);
  });

  it('source.point: random-within draws a seed, recorded, that repeats the choice', async () => {
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'share-random.yaml'),
      'name: share-random\nsource: { kind: tar, path: ../backups/share-*.tar, point: "random-within:30d" }\n',
    );
    const drawn = await drill([], file);
    const seed = drawn.result.restorePoint?.selection?.seed;
    assert.equal(typeof seed, 'number');
    assert.equal((await drill(['--seed', String(seed)], file)).result.restorePoint?.id, drawn.result.restorePoint?.id);
  });

  it('FAILs (exit 1) when no point was taken within the window, naming the window and the newest point', async () => {
    const { code, result } = await drill(['--point', 'random-within:12h']);
    assert.equal(code, 1);
    assert.equal(result.verdict, 'FAIL');
    assert.equal(result.error?.code, 'NO_POINT_IN_WINDOW');
    assert.match(result.error!.message, /no restore point taken within the last 12h .*the newest, share-01d\.tar, is 1d/);
  });

  it('refuses a bad --seed and a bad window (exit 64)', async () => {
    for (const args of [['--point', 'random-within:30d', '--seed', 'seven'], ['--point', 'random-within:monthly']]) {
      const run = await runCli(['run', scenario, '--sandbox', 'local', '--results', results, ...args]);
      assert.equal(run.code, 64, run.stderr);
      assert.match(run.stderr, /--seed must be a whole number|random-within:30d/);
    }
  });

  it('points shows each point\'s last drill from the results folder ("tested DAY PASS"), and "never drilled"', async () => {
    const latest = await drill(['--point', 'share-03d.tar']);
    assert.equal(latest.result.verdict, 'PASS');
    const day = new Date(latest.result.startedAt).toLocaleDateString('sv-SE');
    const listed = await runCli(['points', scenario, '--results', results]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^share-03d\\.tar .* tested ${day} PASS$`, 'm'));
    assert.match(listed.stdout, /^share-40d\.tar .* never drilled$/m);
    const json = JSON.parse((await runCli(['points', scenario, '--results', results, '--json'])).stdout) as { id: string; lastDrill?: { runId: string; verdict: string } }[];
    assert.equal(json.find((p) => p.id === 'share-03d.tar')?.lastDrill?.runId, latest.result.runId);
    assert.equal(json.find((p) => p.id === 'share-40d.tar')?.lastDrill, undefined);
  });

  it('report shows per system how many of the points kept were proven, and the oldest ever proven', async () => {
    const written = await runCli(['report', results, '--lang', 'en']);
    assert.equal(written.code, 0, written.stderr);
    const page = await readFile(path.join(results, 'index.html'), 'utf8');
    const runs = (await readdir(path.join(results, 'share'))).map((run) => path.join(results, 'share', run, 'result.json'));
    const passed = await Promise.all(runs.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as DrillResult));
    const proven = new Set(passed.filter((r) => r.verdict === 'PASS').map((r) => r.restorePoint!.id));
    const oldest = [...proven].sort().at(-1)!;
    const row = page.slice(page.indexOf('data-scenario="share"'));
    assert.match(row, new RegExp(`data-proven="${proven.size}" data-retained="6">${proven.size} of 6 points kept proven`));
    assert.match(row, new RegExp(`oldest proven: <code>${oldest.replace('.', '\\.')}</code>`));
  });

  it('evidence points lists every point with the runs that proved it, their signed evidence verified', async () => {
    const env = { RESTORE_DRILL_CONFIG: path.join(tmp.path, 'config', 'config.json'), RESTORE_DRILL_KEY: '' };
    const signedResults = path.join(tmp.path, 'signed-results');
    assert.equal((await runCli(['keys', 'init'], { env })).code, 0);
    const run = await runCli(['run', scenario, '--sandbox', 'local', '--results', signedResults, '--json', '--point', 'share-02d.tar'], { env });
    const result = (JSON.parse(run.stdout) as { results: DrillResult[] }).results[0]!;
    assert.equal(result.verdict, 'PASS', run.stderr);
    const listed = await runCli(['evidence', 'points', scenario, '--results', signedResults], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^share: 6 restore points in the backup, 1 drilled, 1 proven by verified signed evidence$/m);
    assert.match(listed.stdout, /^share-02d\.tar .* PROVEN$/m);
    assert.match(listed.stdout, new RegExp(`^ +${result.startedAt}  PASS  run ${result.runId}  evidence verified, point sha256:[0-9a-f]{16}$`, 'm'));
    assert.match(listed.stdout, /^share-40d\.tar .* never drilled$/m);
    // An edited result no longer proves its point: exit 1, naming what failed.
    const resultFile = path.join(result.resultsDir, 'result.json');
    await writeFile(resultFile, (await readFile(resultFile, 'utf8')).replace('"PASS"', '"PASS" '));
    const tampered = await runCli(['evidence', 'points', scenario, '--results', signedResults, '--json'], { env });
    assert.equal(tampered.code, 1);
    const point = (JSON.parse(tampered.stdout) as { points: { id: string; provenBySignedEvidence: boolean; runs: { evidence: string; problems: string[] }[] }[] }).points.find((p) => p.id === 'share-02d.tar')!;
    assert.equal(point.provenBySignedEvidence, false);
    assert.equal(point.runs[0]!.evidence, 'failed');
    assert.match(point.runs[0]!.problems.join(' '), /result\.json was changed after it was signed/);
  });
});

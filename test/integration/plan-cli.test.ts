/**
 * restore-drill plan run through the real CLI, on real archives made here, in the local sandbox: the
 * order, a dependent system stopped when the one it waits for FAILs, milestones timed, plan.json.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import type { PlanResult } from '../../harness/plan/result.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';

describe('restore-drill plan run (local sandbox, real archives)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;

  before(async () => {
    tmp = await tempDir('rd-plan-');
    results = path.join(tmp.path, 'results');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree);
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'backups', 'good.tar.gz'), new Date(Date.now() - 3_600_000));
    await writeFile(path.join(tree, '紹介状', '紹介状_0001.txt'), 'changed after the manifest\n');
    await makeArchive(tree, path.join(tmp.path, 'backups', 'damaged.tar.gz'), new Date(Date.now() - 3_600_000));
    for (const [name, archive] of [['first-good', 'good'], ['first-damaged', 'damaged'], ['second', 'good']] as const) {
      await writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\nsource: { kind: tar, path: ../backups/${archive}.tar.gz }\nexpect:\n  files: { manifest: ../expected/share.sha256 }\ntargets: { rto: 5m, rpo: 26h }\n`);
    }
  });
  after(() => tmp.remove());

  const plan = (name: string, first: string, milestoneTarget = '30m') =>
    writeScenario(
      path.join(tmp.path, 'plans', `${name}.yaml`),
      `name: ${name}
groups:
  - systems:
      - { name: db, scenario: ../scenarios/${first}.yaml, milestone: 最低限の診療再開 }
      - { name: app, scenario: ../scenarios/second.yaml, after: [db], milestone: 最低限の診療再開 }
targets:
  milestones: { 最低限の診療再開: ${milestoneTarget} }
`,
    );

  async function planJson(stdout: string): Promise<PlanResult> {
    const dir = /plan\.json: (.+)\/plan\.json/.exec(stdout)?.[1];
    assert.ok(dir, `the summary names plan.json:\n${stdout}`);
    return JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as PlanResult;
  }

  it('drills the dependent system after the one it waits for, and times the milestone', async () => {
    const { code, stdout, stderr } = await runCli(['plan', 'run', await plan('good', 'first-good'), '--sandbox', 'local', '--results', results]);
    assert.equal(code, 0, stdout + stderr);
    const result = await planJson(stdout);
    assert.equal(result.verdict, 'PASS');
    const [db, app] = result.systems;
    assert.deepEqual([db!.verdict, app!.verdict], ['PASS', 'PASS']);
    assert.ok(app!.startMs >= db!.readyMs!, 'app starts once db is ready');
    const [milestone] = result.milestones;
    assert.equal(milestone!.name, '最低限の診療再開');
    assert.equal(milestone!.actualMs, app!.readyMs, 'the milestone is reached when its last system is ready');
    assert.equal(milestone!.ok, true);
    assert.match(stdout, /milestone 最低限の診療再開: reached at \+/);
    assert.equal(path.relative(results, path.dirname(result.resultsDir)), '_plan.good', 'the plan has its own folder, apart from any scenario');
    const report = await readFile(path.join(result.resultsDir, 'report.html'), 'utf8');
    assert.match(report, /<html lang="en">/);
    for (const name of ['db', 'app']) assert.match(report, new RegExp(`<g data-system="${name}">[\\s\\S]*?data-phase="restore"`), `${name} has its restore bar`);
    const links = [...report.matchAll(/<a href="([^"]+)">report<\/a>/g)].map((m) => m[1]!);
    assert.equal(links.length, 2);
    for (const link of links) await readFile(path.resolve(result.resultsDir, link)); // each system's own report is there
  });

  it('does not drill a system whose dependency FAILed, and its verdict names it', async () => {
    const { code, stdout, stderr } = await runCli(['plan', 'run', await plan('broken', 'first-damaged'), '--sandbox', 'local', '--results', results, '--lang', 'ja']);
    assert.equal(code, 1, stdout + stderr);
    const result = await planJson(stdout);
    assert.equal(result.verdict, 'FAIL');
    const [db, app] = result.systems;
    assert.equal(db!.verdict, 'FAIL');
    assert.equal(app!.verdict, 'ERROR');
    assert.equal(app!.waitedFor, 'db');
    assert.deepEqual(app!.phases, [], 'nothing of app was run');
    const drill = JSON.parse(await readFile(path.join(app!.resultsDir, 'result.json'), 'utf8')) as DrillResult;
    assert.equal(drill.error?.code, 'DEPENDENCY_FAILED');
    assert.match(drill.reason, /waits for db/);
    assert.equal(result.milestones[0]!.reached, false);
    assert.equal(result.milestones[0]!.ok, false);
    const report = await readFile(path.join(result.resultsDir, 'report.html'), 'utf8');
    assert.match(report, /<html lang="ja">[\s\S]*復旧計画 訓練報告書[\s\S]*未実施：db を待機/);
  });

  it('lists each plan\'s last run on results/index.html (restore-drill report), linked to its report', async () => {
    const { code, stdout, stderr } = await runCli(['report', results, '--lang', 'en']);
    assert.equal(code === 0 || code === 1, true, stdout + stderr);
    const page = await readFile(path.join(results, 'index.html'), 'utf8');
    const plans = /<table id="plans">([\s\S]*?)<\/table>/.exec(page)?.[1];
    assert.ok(plans, 'the index has a plans table');
    assert.match(plans, /<tr data-plan="good">[\s\S]*?v-PASS[\s\S]*?✔ 最低限の診療再開: [^<]* \/ 30m/);
    assert.match(plans, /<tr data-plan="broken">[\s\S]*?v-FAIL[\s\S]*?✘ 最低限の診療再開: not reached/);
    const links = [...plans.matchAll(/<a href="([^"]+)">report<\/a>/g)].map((m) => m[1]!);
    assert.equal(links.length, 2);
    for (const link of links) assert.match(await readFile(path.resolve(results, link), 'utf8'), /<svg/, 'the link opens the plan report with its timeline');
  });

  it('keeps a secret of a system out of plan.json and the plan report', async () => {
    const secret = 'plan-secret-5c1d9e77';
    await writeScenario(path.join(tmp.path, 'scenarios', 'leaky.yaml'), `name: leaky\nsource: { kind: tar, path: ../backups/good.tar.gz }\nsecrets:\n  TOKEN: { env: RD_PLAN_TOKEN }\nrestore:\n  - run: echo "about to fail with $TOKEN"; exit 7\n`);
    const file = await writeScenario(path.join(tmp.path, 'plans', 'leaky.yaml'), `name: leaky\ngroups:\n  - systems:\n      - { name: db, scenario: ../scenarios/leaky.yaml }\n`);
    const { stdout, stderr } = await runCli(['plan', 'run', file, '--sandbox', 'local', '--results', results], { env: { RD_PLAN_TOKEN: secret } });
    const result = await planJson(stdout);
    assert.match(result.systems[0]!.reason, /about to fail with \[secret:TOKEN\]/, stdout + stderr);
    for (const name of ['plan.json', 'report.html']) {
      assert.ok(!(await readFile(path.join(result.resultsDir, name), 'utf8')).includes(secret), `the secret is in ${name}`);
    }
  });

  it('refuses a plan whose after names no system, with its position (exit 65)', async () => {
    const file = await writeScenario(path.join(tmp.path, 'plans', 'typo.yaml'), `name: typo\ngroups:\n  - systems:\n      - { name: db, scenario: ../scenarios/second.yaml }\n      - { name: app, scenario: ../scenarios/second.yaml, after: [dbb] }\n`);
    const { code, stderr } = await runCli(['plan', 'run', file, '--sandbox', 'local', '--results', results]);
    assert.equal(code, 65, stderr);
    assert.match(stderr, /typo\.yaml:5:\d+ groups\[0\]\.systems\[1\]\.after\[0\].*no system of this plan is named 'dbb'/);
  });
});

describe('access: reaching an offline copy, in the RTO (local sandbox, real archives)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir('rd-access-');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree);
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'offline', 'good.tar.gz'), new Date(Date.now() - 3_600_000));
  });
  after(() => tmp.remove());

  async function drill(name: string, access: string, archive = 'offline/good.tar.gz'): Promise<{ code: number | null; result: DrillResult; stdout: string }> {
    const file = await writeScenario(path.join(tmp.path, `${name}.yaml`), `name: ${name}\nsource: { kind: tar, path: ${archive} }\nexpect:\n  files: { manifest: expected/share.sha256 }\naccess: ${access}\ntargets: { rto: 5h }\n`);
    const run = await runCli(['run', file, '--sandbox', 'local', '--results', path.join(tmp.path, 'results'), '--json']);
    const result = (JSON.parse(run.stdout) as { results: DrillResult[] }).results[0]!;
    return { code: run.code, result, stdout: run.stdout };
  }

  it('runs the access steps on the host before the restore, timed in the RTO', async () => {
    // The step "mounts" the offline copy: the archive exists only once it ran.
    const { code, result } = await drill('steps', `{ steps: [{ run: "sleep 0.3 && mkdir -p backups && cp offline/good.tar.gz backups/", timeout: 1m }] }`, 'backups/good.tar.gz');
    assert.equal(code, 0, result.reason);
    const access = result.phases.find((p) => p.name === 'access');
    assert.ok(access && access.durationMs >= 300, JSON.stringify(result.phases));
    assert.equal(result.phases[0]!.name, 'access', 'access comes before the point is selected');
    assert.ok(result.rto.actualMs! >= access.durationMs);
  });

  it('adds a declared wait to the RTO, shown as declared', async () => {
    const { code, result } = await drill('declared', `{ wait: 4h, why: tape recall from the off-site vault }`);
    assert.equal(code, 0, result.reason);
    assert.equal(result.rto.declaredMs, 4 * 3_600_000);
    assert.ok(result.rto.actualMs! >= 4 * 3_600_000 && result.rto.actualMs! < 4 * 3_600_000 + 60_000);
    assert.match(result.rto.measured, /declared wait .*tape recall/);
  });

  it('a failing access step ends the drill in ERROR naming the step', async () => {
    const { code, result } = await drill('unreachable', `{ steps: [{ run: "echo the USB disk is not there >&2; exit 3" }] }`);
    assert.equal(code, 3);
    assert.equal(result.error?.code, 'ACCESS_STEP_FAILED');
    assert.match(result.error!.message, /exited with 3.*USB disk is not there/);
  });
});

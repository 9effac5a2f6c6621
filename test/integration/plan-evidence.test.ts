/**
 * A plan run's signed and chained evidence, end to end: real drills of a plan by the real CLI, then
 * `evidence verify` on the untouched tree and on copies where plan.json was edited or a system's
 * evidence was replaced.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PLAN_PREDICATE_TYPE } from '../../harness/plan/evidence.ts';
import type { PlanResult } from '../../harness/plan/result.ts';
import { makeWorld, shareScenario, type World } from '../helpers/evidence-world.ts';

describe('integration: a plan run is signed and chained like a drill', function () {
  this.timeout(120_000);
  let world: World;
  let planDir: string;
  let runs: string[];
  let publicKey: string;

  before(async function () {
    world = await makeWorld();
    assert.equal((await world.run(['keys', 'init'])).code, 0);
    publicKey = path.join(world.root, 'config', 'keys', 'evidence-ed25519.pub.pem');
    await world.scenario('share', shareScenario());
    const plan = path.join(world.root, 'plans', 'ward.yaml');
    await mkdir(path.dirname(plan), { recursive: true });
    await writeFile(plan, 'name: ward\ngroups:\n  - systems:\n      - { name: db, scenario: ../share.yaml }\n      - { name: app, scenario: ../share.yaml, after: [db] }\n');
    for (let i = 0; i < 2; i++) {
      const run = await world.run(['plan', 'run', plan, '--results', world.results, '--sandbox', 'local']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    }
    planDir = path.join(world.results, '_plan.ward');
    runs = (await readdir(planDir)).sort();
    assert.equal(runs.length, 2);
  });
  after(() => world?.dispose());

  const statementOf = async (runDir: string) => JSON.parse(Buffer.from(JSON.parse(await readFile(path.join(runDir, 'evidence.json'), 'utf8')).payload, 'base64').toString('utf8'));

  it('binds the plan file, plan.json and each system\'s evidence, chained to the plan\'s previous run', async () => {
    const statement = await statementOf(path.join(planDir, runs[1]!));
    assert.equal(statement.predicateType, PLAN_PREDICATE_TYPE);
    const names = statement.subject.map((s: { name: string }) => s.name);
    assert.deepEqual(names, ['plan:plans/ward.yaml', 'system-evidence:db', 'system-evidence:app', 'plan.json']);
    assert.equal(statement.predicate.chain.scope, 'plan');
    assert.equal(statement.predicate.chain.sequence, 2);
    assert.equal(statement.predicate.chain.previous.runId, runs[0]);
    const report = await readFile(path.join(planDir, runs[1]!, 'report.html'), 'utf8');
    assert.match(report, /id="evidence-status" data-state="verified"/);
  });

  it('evidence verify accepts the tree, with the plan runs named', async () => {
    const verify = await world.run(['evidence', 'verify', '--key', publicKey, world.results]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /ok {4}.*_plan\.ward.*evidence\.json \(plan ward run 2, PASS\)/);
    assert.match(verify.stdout, /chain .*_plan\.ward: 2 signed runs/);
  });

  it('evidence verify finds plan.json edited after it was signed', async () => {
    const copy = path.join(world.root, 'results-edited');
    await cp(world.results, copy, { recursive: true });
    const file = path.join(copy, '_plan.ward', runs[1]!, 'plan.json');
    const plan = JSON.parse(await readFile(file, 'utf8')) as PlanResult;
    await writeFile(file, JSON.stringify({ ...plan, verdict: 'PASS', durationMs: 1 }, null, 2));
    const verify = await world.run(['evidence', 'verify', '--key', publicKey, copy, '--no-anchor']);
    assert.notEqual(verify.code, 0);
    assert.match(verify.stdout, /FAIL .*_plan\.ward.*plan\.json was changed after it was signed/);
  });

  it('evidence verify finds a system\'s evidence replaced after the plan ran', async () => {
    const copy = path.join(world.root, 'results-swapped');
    await cp(world.results, copy, { recursive: true });
    const plan = JSON.parse(await readFile(path.join(copy, '_plan.ward', runs[1]!, 'plan.json'), 'utf8')) as PlanResult;
    const app = path.join(copy, 'share', path.basename(plan.systems[1]!.resultsDir), 'evidence.json');
    await writeFile(app, (await readFile(app, 'utf8')).replace(/\n$/, '\n\n'));
    const verify = await world.run(['evidence', 'verify', '--key', publicKey, path.join(copy, '_plan.ward'), '--no-anchor']);
    assert.notEqual(verify.code, 0);
    assert.match(verify.stdout, /names the evidence of system app \(share\/[^)]+\/evidence\.json\) with sha256 \w+, but it now has sha256 \w+: it was replaced after the plan ran/);
  });
});

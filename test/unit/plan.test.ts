/** Plan files: validation with positions (unknown after, cycles, missing scenarios, targets) and the drill order. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ScenarioError } from '../../harness/errors.ts';
import { loadPlan } from '../../harness/plan/load.ts';
import { findCycle, nextSteps, type SystemState } from '../../harness/plan/order.ts';
import { tempDir } from '../helpers/cli.ts';

describe('plan files', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    tmp = await tempDir('rd-plan-unit-');
    await mkdir(path.join(tmp.path, 'scenarios'));
    for (const name of ['a', 'b', 'c']) {
      await writeFile(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\nsource: { kind: directory, path: . }\n`);
    }
  });
  after(() => tmp.remove());

  async function problems(yaml: string): Promise<string[]> {
    const file = path.join(tmp.path, 'plan.yaml');
    await writeFile(file, yaml);
    try {
      await loadPlan(file);
    } catch (err) {
      assert.ok(err instanceof ScenarioError, String(err));
      return err.problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`);
    }
    return [];
  }

  const systems = (...lines: string[]) => `name: p\ngroups:\n  - systems:\n${lines.map((l) => `      - ${l}\n`).join('')}`;

  it('loads a valid plan, systems in plan order with their group', async () => {
    const file = path.join(tmp.path, 'ok.yaml');
    await writeFile(file, `name: ok\ngroups:\n  - systems:\n      - { name: a, scenario: scenarios/a.yaml, milestone: m }\n  - systems:\n      - { name: b, scenario: scenarios/b.yaml, after: [a] }\ntargets:\n  milestones: { m: 1h }\n`);
    const plan = await loadPlan(file);
    assert.deepEqual(plan.systems.map((s) => [s.name, s.group, s.loaded.spec.name]), [['a', 0, 'a'], ['b', 1, 'b']]);
    assert.equal(plan.spec.targets.milestones.m, 3_600_000);
  });

  it('refuses an after naming no system, at the entry', async () => {
    const found = await problems(systems('{ name: a, scenario: scenarios/a.yaml }', '{ name: b, scenario: scenarios/b.yaml, after: [a, x] }'));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^5:\d+ groups\[0\]\.systems\[1\]\.after\[1\]: no system of this plan is named 'x'/);
  });

  it('refuses a reach naming a system the system does not wait for, at the entry', async () => {
    const found = await problems(systems('{ name: a, scenario: scenarios/a.yaml }', '{ name: c, scenario: scenarios/c.yaml }', '{ name: b, scenario: scenarios/b.yaml, after: [a], reach: [a, c] }'));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^6:\d+ groups\[0\]\.systems\[2\]\.reach\[1\]: b can reach only a system it waits for: add 'c' to its after list/);
  });

  it('refuses a cycle, naming the systems along it', async () => {
    const found = await problems(systems('{ name: a, scenario: scenarios/a.yaml, after: [c] }', '{ name: b, scenario: scenarios/b.yaml, after: [a] }', '{ name: c, scenario: scenarios/c.yaml, after: [b] }'));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^4:\d+ groups\[0\]\.systems\[0\]\.after: these systems wait for each other.*a → c → b → a/);
  });

  it('refuses a system waiting for itself and a name used twice', async () => {
    const found = await problems(systems('{ name: a, scenario: scenarios/a.yaml, after: [a] }', '{ name: a, scenario: scenarios/b.yaml }'));
    assert.ok(found.some((p) => /^5:\d+ groups\[0\]\.systems\[1\]\.name: the system 'a' is named twice/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /systems\[0\]\.after\[0\]: a system cannot wait for itself/.test(p)), found.join('\n'));
  });

  it('refuses a missing scenario file at its field, and a milestone target no system has', async () => {
    assert.match((await problems(systems('{ name: a, scenario: scenarios/nope.yaml }')))[0]!, /^4:\d+ groups\[0\]\.systems\[0\]\.scenario: no scenario file at .*nope\.yaml/);
    const found = await problems(`${systems('{ name: a, scenario: scenarios/a.yaml, milestone: m }')}targets:\n  milestones:\n    mm: 1h\n`);
    assert.match(found[0]!, /^7:5 targets\.milestones\.mm: no system of this plan has the milestone 'mm'/);
  });

  it('refuses unknown fields and bad durations with positions', async () => {
    const found = await problems(`${systems('{ name: a, scenario: scenarios/a.yaml, milestone: m, aftr: [b] }')}targets:\n  milestones: { m: soon }\n`);
    assert.ok(found.some((p) => /^4:\d+ groups\[0\]\.systems\[0\]\.aftr: unknown field/.test(p)), found.join('\n'));
    assert.ok(found.some((p) => /targets\.milestones\.m: expected a duration/.test(p)), found.join('\n'));
  });
});

describe('plan order', () => {
  const plan = [
    { name: 'db', after: [] },
    { name: 'app', after: ['db'] },
    { name: 'billing', after: ['app', 'db'] },
    { name: 'pacs', after: [] },
  ];
  const states = (entries: Record<string, SystemState>) => new Map(plan.map((s) => [s.name, entries[s.name] ?? 'waiting']));

  it('starts the systems with nothing to wait for first, in plan order', () => {
    assert.deepEqual(nextSteps(plan, states({})), { start: ['db', 'pacs'], stop: [] });
  });

  it('starts a system once everything it waits for is ready, not before', () => {
    assert.deepEqual(nextSteps(plan, states({ db: 'running', pacs: 'running' })).start, []);
    assert.deepEqual(nextSteps(plan, states({ db: 'ready', pacs: 'running' })).start, ['app']);
    assert.deepEqual(nextSteps(plan, states({ db: 'ready', app: 'ready', pacs: 'ready' })).start, ['billing']);
  });

  it('stops a system whose dependency failed, naming it', () => {
    assert.deepEqual(nextSteps(plan, states({ db: 'failed', pacs: 'ready' })), { start: [], stop: [{ name: 'app', waitedFor: 'db' }, { name: 'billing', waitedFor: 'db' }] });
  });

  it('finds cycles, and none in a plan without one', () => {
    assert.equal(findCycle(plan), undefined);
    assert.deepEqual(findCycle([{ name: 'a', after: ['b'] }, { name: 'b', after: ['a'] }]), ['a', 'b', 'a']);
  });
});

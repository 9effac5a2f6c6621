/** Hostile and careless scenario files: each gets a positioned ScenarioError, never an exception. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ScenarioError } from '../../harness/errors.ts';
import { loadScenario, parseScenario } from '../../harness/scenario/load.ts';
import { tempDir } from '../helpers/cli.ts';
import { billionLaughs } from '../helpers/yaml-attacks.ts';

const HEAD = 'name: a\nsource: { kind: tar, path: a.tar }\n';

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, '/srv/scenarios/x.yaml', 'scenarios/x.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${String(err)}`);
    return err.message.split('\n');
  }
  assert.fail('expected the scenario to be rejected');
}

describe('scenario limits: YAML aliases, tags and size', () => {
  it('refuses a billion-laughs file quickly, at the first alias', () => {
    const started = Date.now();
    const problems = problemsOf(billionLaughs());
    assert.ok(Date.now() - started < 2000, 'took too long');
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^scenarios\/x\.yaml:2:10 .*aliases/);
  });

  it('refuses an alias whose anchor is not defined, at the alias', () => {
    const [problem] = problemsOf('name: *nope\nsource: { kind: tar, path: a.tar }\n');
    assert.equal(problem, "scenarios/x.yaml:1:7 YAML: the alias *nope names no anchor (&nope) defined before it");
  });

  it('still accepts a few aliases', () => {
    const scenario = parseScenario(`${HEAD}sandbox: &box { memory: 2g }\nexpect:\n  command:\n    - { run: 'true', timeout: &t 10s }\n    - { run: 'false', exit: 1, timeout: *t }\n`, '/srv/x.yaml');
    assert.equal(scenario.spec.expect.command?.[1]?.timeout, 10_000);
  });

  it('refuses a tag that is not a core YAML tag, at the tag', () => {
    assert.deepEqual(problemsOf('name: !foo bar\nsource: { kind: tar, path: a.tar }\n'), [
      "scenarios/x.yaml:1:7 YAML: the tag !foo is not allowed: a scenario uses plain YAML values (only the core tags !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)",
    ]);
    assert.match(problemsOf(`${HEAD}description: !!binary aGVsbG8=\n`)[0]!, /^scenarios\/x\.yaml:3:14 YAML: the tag !!binary is not allowed/);
  });

  it('accepts the core tags', () => {
    assert.equal(parseScenario(`${HEAD}description: !!str 12\n`, '/srv/x.yaml').spec.description, '12');
  });

  it('refuses a scenario file over 1 MiB before reading it', async () => {
    const dir = await tempDir();
    try {
      const file = path.join(dir.path, 'big.yaml');
      await writeFile(file, HEAD + `description: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
      await assert.rejects(loadScenario(file), (err: unknown) => {
        assert.ok(err instanceof ScenarioError);
        assert.match(err.message, /big\.yaml:1:1 the scenario file is 2\.0 MiB; a scenario file may be at most 1 MiB/);
        return true;
      });
    } finally {
      await dir.remove();
    }
  });
});

describe('scenario limits: durations', () => {
  it('refuses a timer longer than a timer can wait, naming the maximum', () => {
    const [problem] = problemsOf(`${HEAD}restore:\n  - run: 'true'\n    timeout: 30d\n`);
    assert.equal(problem, 'scenarios/x.yaml:5:14 restore[0].timeout: 30d is too long: a timeout or interval may be at most 24d');
  });

  it('refuses a zero timeout or interval', () => {
    assert.deepEqual(problemsOf(`${HEAD}restore:\n  - { run: 'true', timeout: 0s }\n`), [
      'scenarios/x.yaml:4:29 restore[0].timeout: must be longer than 0',
    ]);
    assert.match(problemsOf(`${HEAD}expect:\n  http:\n    - { url: 'http://localhost/', interval: 0ms }\n`)[0]!, /expect\.http\[0\]\.interval: must be longer than 0/);
  });

  it('lets until be 0 (one attempt), but not longer than a timer can wait', () => {
    const scenario = parseScenario(`${HEAD}expect:\n  http:\n    - { url: 'http://localhost/', until: 0s }\n`, '/srv/x.yaml');
    assert.equal(scenario.spec.expect.http?.[0]?.until, 0);
    assert.match(problemsOf(`${HEAD}expect:\n  command:\n    - { run: 'true', until: 25d }\n`)[0]!, /expect\.command\[0\]\.until: 25d is too long: .* at most 24d/);
  });

  it('keeps long targets valid: they are compared, not waited for', () => {
    const scenario = parseScenario(`${HEAD}targets: { rto: 2h, rpo: 30d, drill_interval: 31d }\nrestore:\n  - { run: 'true', timeout: 24d }\n`, '/srv/x.yaml');
    assert.equal(scenario.spec.targets.drill_interval, 31 * 86_400_000);
    assert.equal(scenario.spec.restore[0]!.timeout, 24 * 86_400_000);
  });
});

describe('scenario messages for null and NaN', () => {
  it('says a null mapping is nothing (~)', () => {
    assert.deepEqual(problemsOf('name: a\nsource: ~\n'), ['scenarios/x.yaml:2:9 source: expected an object (a mapping), got nothing (~)']);
  });

  it('says .nan is not a number', () => {
    assert.deepEqual(problemsOf(`${HEAD}sandbox: { cpus: .nan }\n`), ['scenarios/x.yaml:3:18 sandbox.cpus: got .nan, not a number']);
  });
});

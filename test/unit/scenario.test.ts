import assert from 'node:assert/strict';
import { ScenarioError } from '../../harness/errors.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { resolveSecrets } from '../../harness/scenario/secrets.ts';
import { MissingSecretError, SecretTooShortError } from '../../harness/errors.ts';

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, '/srv/scenarios/x.yaml', 'scenarios/x.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected the scenario to be rejected');
}

describe('scenario loading', () => {
  it('names file, line, column and field for a bad duration', () => {
    const problems = problemsOf('name: billing\nsource: { kind: tar, path: a.tar }\ntargets:\n  rto: soon\n');
    assert.deepEqual(problems, ["scenarios/x.yaml:4:8 targets.rto: expected a duration like 30m or 2h, got 'soon'"]);
  });

  it('rejects a misspelt field at the key', () => {
    const problems = problemsOf('name: billing\nsource:\n  kind: tar\n  pathh: a.tar\n');
    assert.ok(problems.includes('scenarios/x.yaml:4:3 source.pathh: unknown field (check its spelling)'), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('source.path: is required')), problems.join('\n'));
  });

  it('lists the source kinds it knows', () => {
    const [problem] = problemsOf('name: a\nsource: { kind: tape, path: a }\n');
    assert.match(problem!, /source\.kind: expected kind to be one of: .*directory.*tar/);
  });

  it('refuses a secret written inline, without echoing it', () => {
    const problems = problemsOf('name: a\nsource: { kind: tar, path: a }\nsecrets:\n  DB: { value: hunter2 }\n');
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /secrets\.DB\.value: write env .* never the secret itself/);
    assert.doesNotMatch(problems[0]!, /hunter2/);
  });

  it('reports YAML syntax errors with their position', () => {
    const [problem] = problemsOf('name: a\nsource: [unclosed\n');
    assert.match(problem!, /^scenarios\/x\.yaml:\d+:\d+ YAML: /);
  });

  it('fills defaults and resolves paths against the scenario folder', () => {
    const scenario = parseScenario('name: a\nsource: { kind: tar, path: ../backups/a.tar }\ntargets: { rto: 30m }\n', '/srv/scenarios/x.yaml');
    assert.equal(scenario.spec.sandbox.network, 'none');
    assert.equal(scenario.spec.targets.rto, 1_800_000);
    const source = scenario.spec.source;
    assert.ok(source.kind === 'tar');
    assert.equal(scenario.resolve(source.path), '/srv/backups/a.tar');
    assert.match(scenario.digest, /^sha256:[0-9a-f]{64}$/);
  });

  it('refuses the host network', () => {
    const [problem] = problemsOf('name: a\nsource: { kind: tar, path: a }\nsandbox: { network: host }\n');
    assert.match(problem!, /sandbox\.network: the host's network is never used/);
  });
});

describe('secrets', () => {
  const scenario = parseScenario('name: a\nsource: { kind: tar, path: a }\nsecrets:\n  DB_PASSWORD: { env: BILLING_PW }\n', '/srv/x.yaml', 'x.yaml');

  it('reads a secret from the environment', async () => {
    assert.deepEqual(await resolveSecrets(scenario, { BILLING_PW: 's3cret!-billing' }), { DB_PASSWORD: 's3cret!-billing' });
  });

  it('refuses a secret under 8 characters (it cannot be blotted out safely), naming the line and never the value', async () => {
    await assert.rejects(resolveSecrets(scenario, { BILLING_PW: 's3cret!' }), (err: unknown) => {
      assert.ok(err instanceof SecretTooShortError);
      assert.equal(err.code, 'SECRET_TOO_SHORT');
      assert.match(err.message, /^x\.yaml:4:3 secrets\.DB_PASSWORD: the environment variable BILLING_PW is only 7 characters long; .* at least 8/);
      assert.ok(!err.message.includes('s3cret!'));
      return true;
    });
    assert.ok(await resolveSecrets(scenario, { BILLING_PW: 's3cret!!' }), 'exactly 8 is enough');
  });

  it('names the scenario line and the variable when it is missing', async () => {
    await assert.rejects(resolveSecrets(scenario, {}), (err: unknown) => {
      assert.ok(err instanceof MissingSecretError);
      assert.match(err.message, /^x\.yaml:4:3 secrets\.DB_PASSWORD: the environment variable BILLING_PW is not available/);
      assert.match(err.message, /export BILLING_PW=/);
      return true;
    });
  });
});

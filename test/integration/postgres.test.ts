/**
 * The pgdump source and the sql and canary checks against a real PostgreSQL in the docker sandbox:
 * a billing dump (made here with pg_dump, inside a restic backup) restored and queried; a wrong count
 * FAILs showing expected and actual; differing rows show a unified diff; a stale canary FAILs.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { generateBilling, type BillingLayout } from '../../harness/demo/billing.ts';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { containersLabelled, dockerUnavailable } from '../helpers/docker.ts';
import { onlyResult } from '../helpers/engines.ts';
import { writeScenario } from '../helpers/fixtures.ts';

const HOUR = 3_600_000;

describe('pgdump source, sql and canary checks (real PostgreSQL, docker sandbox)', function () {
  this.timeout(180_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let billing: BillingLayout;

  before(async function () {
    const why = await dockerUnavailable(['restore-drill/postgres:latest']);
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    tmp = await tempDir('rd-pg-');
    billing = await generateBilling(new DockerSandboxDriver(), path.join(tmp.path, 'billing'), { snapshotTime: new Date(Date.now() - 2 * HOUR), patients: 200 });
  });
  after(async () => {
    await tmp?.remove();
  });

  const scenario = (name: string, expect: string) =>
    writeScenario(
      path.join(tmp.path, 'scenarios', `${name}.yaml`),
      [
        `name: ${name}`,
        'source:',
        '  kind: pgdump',
        '  from: { kind: restic, repository: ../billing/repo, password_file: ../billing/restic-password.txt }',
        `  dump: ${billing.dump}`,
        '  database: billing',
        'sandbox: { image: "restore-drill/postgres:latest" }',
        'expect:',
        expect,
        'targets: { rpo: 26h }',
        '',
      ].join('\n'),
    );
  const drill = (file: string) => runCli(['run', file, '--sandbox', 'docker', '--json', '--results', path.join(tmp.path, 'results')], { timeoutMs: 150_000 });

  it('restores the dump into PostgreSQL and PASSes the counts, the rows and the canary', async () => {
    const file = await scenario(
      'pg-pass',
      [
        '  sql:',
        `    - { query: "select count(*) from patients", expect: "= ${billing.patients}" }`,
        `    - { query: "select count(*) from visits", expect: ">= ${billing.visits - 1}" }`,
        '    - { query: "select code, name from departments", rows_file: ../billing/expected/departments.tsv }',
        '  canary: { sql: "select max(written_at) from drill_canary" }',
      ].join('\n'),
    );
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', `${result.reason}\n${run.stderr}`);
    assert.deepEqual(result.checks.map((c) => [c.kind, c.status]), [['sql', 'pass'], ['sql', 'pass'], ['sql', 'pass'], ['canary', 'pass']]);
    assert.equal(result.sandbox?.driver, 'docker');
  });

  it('FAILs a wrong count with expected and actual, shows differing rows as a diff, and a stale canary', async () => {
    const file = await scenario(
      'pg-fail',
      [
        '  sql:',
        `    - { name: patients, query: "select count(*) from patients", expect: "= ${billing.patients + 1}" }`,
        '    - { name: departments, query: "select code from departments", rows: [IM, SU, OP, PE, XX] }',
        '    - { name: missing table, query: "select count(*) from prescriptions", expect: ">= 1" }',
        '  canary: { sql: "select max(written_at) from drill_canary", max_age: 1h }',
      ].join('\n'),
    );
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(run.code, 1);
    assert.equal(result.verdict, 'FAIL');
    const [count, rows, missing, canary] = result.checks;
    assert.equal(count!.status, 'fail');
    assert.equal(count!.findings[0]!.expected, `= ${billing.patients + 1}`);
    assert.equal(count!.findings[0]!.actual, String(billing.patients));
    assert.match(count!.summary, new RegExp(`returned ${billing.patients}, expected = ${billing.patients + 1}`));
    assert.equal(rows!.status, 'fail');
    assert.match(String(rows!.details?.diff), /^-XX$/m);
    assert.match(String(rows!.details?.diff), /^\+RA$/m);
    assert.match(missing!.summary, /relation "prescriptions" does not exist/);
    assert.equal(canary!.status, 'fail');
    assert.equal(canary!.findings[0]!.rule, 'stale');
    // The console shows the expected and actual values, and the diff.
    const console = await runCli(['run', file, '--sandbox', 'docker', '--results', path.join(tmp.path, 'results')], { timeoutMs: 150_000 });
    assert.match(console.stdout, new RegExp(`returned ${billing.patients}, expected = ${billing.patients + 1}`));
    assert.match(console.stdout, /^\s+-XX$/m);
  });

  it('leaves no container behind', async () => {
    assert.deepEqual(await containersLabelled('restore-drill.scenario=pg-pass'), []);
    assert.deepEqual(await containersLabelled('restore-drill.scenario=pg-fail'), []);
  });
});

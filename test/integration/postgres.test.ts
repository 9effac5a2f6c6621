/**
 * The pgdump source and the sql and canary checks against a real PostgreSQL in the docker sandbox:
 * a billing dump (made here with pg_dump, inside a restic backup) restored and queried; a wrong count
 * FAILs showing expected and actual; differing rows show a unified diff; a stale canary FAILs.
 */
import assert from 'node:assert/strict';
import { diffOf } from '../../harness/checks/check.ts';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateBilling, type BillingLayout } from '../../harness/demo/billing.ts';
import { describeResult } from '../../harness/reporters/console.ts';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { containersLabelled, dockerUnavailable } from '../helpers/docker.ts';
import { onlyResult, toolMissing } from '../helpers/engines.ts';
import { writeScenario } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

/** Scenario names of this test process: another run's containers on this host never count as ours. */
const unique = (name: string) => `${name}-${process.pid}`;

const HOUR = 3_600_000;

describe('pgdump source, sql and canary checks (real PostgreSQL, docker sandbox)', function () {
  this.timeout(180_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let billing: BillingLayout;

  before(async function () {
    const why = toolMissing('restic') ?? (await dockerUnavailable(['restore-drill/postgres:latest']));
    if (why) skipBecause(this, why);
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
      unique('pg-pass'),
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
      unique('pg-fail'),
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
    assert.match(String(diffOf(rows!)), /^-XX$/m);
    assert.match(String(diffOf(rows!)), /^\+RA$/m);
    assert.match(missing!.summary, /relation "prescriptions" does not exist/);
    assert.equal(canary!.status, 'fail');
    assert.equal(canary!.findings[0]!.rule, 'stale');
    // The console shows the expected and actual values, and the diff.
    const shown = describeResult(result);
    assert.match(shown, new RegExp(`returned ${billing.patients}, expected = ${billing.patients + 1}`));
    assert.match(shown, /^\s+-XX$/m);
  });

  it('loads a plain SQL dump from this host, and FAILs a truncated custom-format dump', async () => {
    const plain = path.join(tmp.path, 'dumps', 'shop.sql');
    await mkdir(path.dirname(plain), { recursive: true });
    await writeFile(plain, "create table items (id int primary key, name text);\ninsert into items values (1, '湿布'), (2, '包帯');\n");
    // The billing dump, taken out of its restic backup on the host and cut short, as a bad disk would.
    const password = (await readFile(billing.passwordFile, 'utf8')).trim();
    const out = spawnSync('restic', ['--no-lock', '--no-cache', '-r', billing.repository, 'restore', 'latest', '--target', path.join(tmp.path, 'dumps'), '--include', `/${billing.dump}`], {
      env: { ...process.env, RESTIC_PASSWORD: password },
      encoding: 'utf8',
    });
    assert.equal(out.status, 0, out.stderr);
    const cut = path.join(tmp.path, 'dumps', billing.dump);
    await truncate(cut, Math.floor((await stat(cut)).size * 0.6));
    const write = (name: string, dump: string, expect: string) =>
      writeScenario(
        path.join(tmp.path, 'scenarios', `${name}.yaml`),
        `name: ${name}\nsource: { kind: pgdump, path: ${dump}, database: shop }\nsandbox: { image: "restore-drill/postgres:latest" }\nexpect:\n${expect}\n`,
      );
    const good = onlyResult((await drill(await write(unique('pg-plain'), '../dumps/shop.sql', '  sql: [{ query: "select name from items order by id", rows: [湿布, 包帯], ordered: true }]'))).stdout);
    assert.equal(good.verdict, 'PASS', good.reason);
    const bad = onlyResult((await drill(await write(unique('pg-truncated'), `../dumps/${billing.dump}`, '  sql: [{ query: "select 1", expect: 1 }]'))).stdout);
    assert.equal(bad.verdict, 'FAIL');
    assert.equal(bad.error?.code, 'DUMP_RESTORE_FAILED');
    assert.match(bad.error!.message, /pg_restore/);
  });

  it('leaves no container behind', async () => {
    for (const name of [unique('pg-pass'), unique('pg-fail'), unique('pg-plain'), unique('pg-truncated')]) assert.deepEqual(await containersLabelled(`restore-drill.scenario=${name}`), []);
  });
});

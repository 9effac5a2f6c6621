/**
 * Dependent systems that talk (real docker, real PostgreSQL): a plan's database system restores a
 * billing dump; its application system, which reaches it (reach: [db]), runs psql -h db against it on
 * an internal network made for the plan run. The database's sandbox stays up until the application's
 * drill finished; afterwards nothing of the run is left (containers, networks).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateBilling, type BillingLayout } from '../../harness/demo/billing.ts';
import type { DrillResult } from '../../harness/drill/result.ts';
import type { PlanResult } from '../../harness/plan/result.ts';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { containersLabelled, dockerUnavailable, networksLabelled } from '../helpers/docker.ts';
import { toolMissing } from '../helpers/engines.ts';
import { makeArchive, writeScenario, writeTree } from '../helpers/fixtures.ts';

const HOUR = 3_600_000;
const PLAN = `ward-${process.pid}`;

// The image's server listens on 127.0.0.1 only; the database system opens it to the plan's network
// (its restore step, as a hospital's runbook would), trusting only the network it is on.
const OPEN_TO_PLAN_NETWORK = [
  "printf 'local all all trust\\nhost all all samenet trust\\n' > /restore/plan_hba.conf && chown postgres /restore/plan_hba.conf",
  'setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/lib/postgresql pg_ctl -D /restore/pgdata -l /var/log/postgresql/postgresql.log -W -m fast restart -o "-c listen_addresses=* -c unix_socket_directories=/var/run/postgresql -c hba_file=/restore/plan_hba.conf" >/dev/null',
  'until pg_isready -q -h /var/run/postgresql; do sleep 0.3; done',
].join(' && ');

describe('plan run: a system reaches the one it depends on (real docker, PostgreSQL)', function () {
  this.timeout(240_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let billing: BillingLayout;

  before(async function () {
    const why = toolMissing('restic') ?? (await dockerUnavailable(['restore-drill/postgres:latest']));
    if (why) skipBecause(this, why);
    tmp = await tempDir('rd-plan-net-');
    billing = await generateBilling(new DockerSandboxDriver(), path.join(tmp.path, 'billing'), { snapshotTime: new Date(Date.now() - HOUR), patients: 120 });
    await writeTree(path.join(tmp.path, 'app-tree'), { 'app.conf': 'db_host=db\n' });
    await makeArchive(path.join(tmp.path, 'app-tree'), path.join(tmp.path, 'backups', 'app.tar.gz'), new Date(Date.now() - HOUR));
    await writeScenario(
      path.join(tmp.path, 'scenarios', 'ehr-db.yaml'),
      [
        `name: ehr-db-${process.pid}`,
        'source:',
        '  kind: pgdump',
        '  from: { kind: restic, repository: ../billing/repo, password_file: ../billing/restic-password.txt }',
        `  dump: ${billing.dump}`,
        '  database: billing',
        'sandbox: { image: "restore-drill/postgres:latest" }',
        'restore:',
        `  - run: ${JSON.stringify(OPEN_TO_PLAN_NETWORK)}`,
        'expect:',
        '  sql:',
        '    - { name: every patient, query: select count(*) from patients, expect: "= 120" }',
        'targets: { rpo: 26h }',
        '',
      ].join('\n'),
    );
    await writeScenario(
      path.join(tmp.path, 'scenarios', 'ehr-app.yaml'),
      [
        `name: ehr-app-${process.pid}`,
        'source: { kind: tar, path: ../backups/app.tar.gz }',
        'sandbox: { image: "restore-drill/postgres:latest" }',
        'expect:',
        '  command:',
        '    - name: the application reaches its restored database',
        '      run: psql -h db -U postgres -d billing -tAc "select count(*) from patients"',
        '      stdout: "120"',
        'targets: { rpo: 26h }',
        '',
      ].join('\n'),
    );
  });
  after(() => tmp?.remove());

  it('puts both sandboxes on the plan\'s internal network, the database reachable as db, and removes them after', async () => {
    const plan = await writeScenario(
      path.join(tmp.path, 'plans', `${PLAN}.yaml`),
      `name: ${PLAN}\ngroups:\n  - systems:\n      - { name: db, scenario: ../scenarios/ehr-db.yaml }\n      - { name: app, scenario: ../scenarios/ehr-app.yaml, after: [db], reach: [db] }\n`,
    );
    const { code, stdout, stderr } = await runCli(['plan', 'run', plan, '--sandbox', 'docker', '--results', path.join(tmp.path, 'results')], { timeoutMs: 220_000 });
    assert.equal(code, 0, stdout + stderr);
    const dir = /plan\.json: (.+)\/plan\.json/.exec(stdout)![1]!;
    const result = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as PlanResult;
    const [db, app] = await Promise.all(result.systems.map(async (s) => JSON.parse(await readFile(path.join(s.resultsDir, 'result.json'), 'utf8')) as DrillResult));
    const network = db!.sandbox!.description.planNetwork!;
    assert.match(network, new RegExp(`^restore-drill-plan-${PLAN}-`));
    assert.equal(app!.sandbox!.description.planNetwork, network, 'both on the one plan network');
    assert.deepEqual([db!.sandbox!.description.reachedBy, app!.sandbox!.description.reaches], ['app', 'db']);
    assert.equal(app!.sandbox!.isolation.network, network);
    assert.ok(app!.checks.some((c) => c.kind === 'command' && c.status === 'pass'), 'psql -h db answered');
    assert.ok(db!.sandbox!.isolation.notes.some((n) => /kept running after its drill for app/.test(n)));
    assert.deepEqual(await containersLabelled(`restore-drill.scenario=ehr-db-${process.pid}`), [], 'the database sandbox was removed');
    assert.deepEqual(await networksLabelled(`restore-drill.scenario=plan.${PLAN}`), [], 'the plan network was removed');
  });

  it('without reach, the application cannot reach the database: each sandbox stays on its own', async () => {
    const plan = await writeScenario(
      path.join(tmp.path, 'plans', `${PLAN}-apart.yaml`),
      `name: ${PLAN}-apart\ngroups:\n  - systems:\n      - { name: db, scenario: ../scenarios/ehr-db.yaml }\n      - { name: app, scenario: ../scenarios/ehr-app.yaml, after: [db] }\n`,
    );
    const { code, stdout, stderr } = await runCli(['plan', 'run', plan, '--sandbox', 'docker', '--results', path.join(tmp.path, 'results')], { timeoutMs: 220_000 });
    assert.equal(code, 1, stdout + stderr);
    const dir = /plan\.json: (.+)\/plan\.json/.exec(stdout)![1]!;
    const result = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as PlanResult;
    assert.deepEqual(result.systems.map((s) => s.verdict), ['PASS', 'FAIL']);
    const app = JSON.parse(await readFile(path.join(result.systems[1]!.resultsDir, 'result.json'), 'utf8')) as DrillResult;
    assert.equal(app.sandbox!.description.planNetwork, undefined);
  });

  it('refuses reach in the local sandbox, saying to use docker (exit 64)', async () => {
    const plan = path.join(tmp.path, 'plans', `${PLAN}.yaml`);
    const { code, stderr } = await runCli(['plan', 'run', plan, '--sandbox', 'local', '--results', path.join(tmp.path, 'results')]);
    assert.equal(code, 64, stderr);
    assert.match(stderr, /app reaches db .*need the docker sandbox \(--sandbox docker\)/);
  });
});

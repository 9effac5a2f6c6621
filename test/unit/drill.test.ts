import assert from 'node:assert/strict';
import { FakeClock } from '../../harness/clock.ts';
import { runDrill, type DrillOptions } from '../../harness/drill/drill.ts';
import type { DrillEvent } from '../../harness/drill/events.ts';
import { BackupError } from '../../harness/errors.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import type { Check } from '../../harness/checks/check.ts';
import { FakeCheck, FakeDriver, FakeSource } from '../helpers/fakes.ts';

const HOUR = 3_600_000;

describe('the drill pipeline (fakes, fake clock)', () => {
  let pool: HashPool;
  before(() => (pool = new HashPool({ workers: 1 })));
  after(() => pool.close());

  function setup(yamlTargets: string, options: { restoreMs?: number; checks?: (clock: FakeClock) => Check[]; failure?: Error; pointAgeMs?: number; env?: NodeJS.ProcessEnv; extra?: string } = {}) {
    const clock = new FakeClock(new Date('2026-11-01T03:00:00Z'));
    const scenario = parseScenario(`name: billing\nsource: { kind: tar, path: a.tar }\n${options.extra ?? ''}targets: ${yamlTargets}\n`, '/srv/x.yaml');
    const point = { id: 'p1', time: new Date(clock.now().getTime() - (options.pointAgeMs ?? HOUR)), location: '/backups/p1' };
    const driver = new FakeDriver();
    const events: DrillEvent[] = [];
    const drillOptions: DrillOptions = {
      driver,
      resultsRoot: '/tmp/rd-unit-results',
      point: 'latest',
      pool,
      clock,
      signal: new AbortController().signal,
      emit: async (e) => void events.push(e),
      env: options.env ?? {},
      sourceFor: () => new FakeSource(clock, [point], options.restoreMs ?? 1000, options.failure),
      checksFor: () => (options.checks ? options.checks(clock) : []),
    };
    return { scenario, drillOptions, driver, events };
  }

  it('measures RTO from the start of the restore to the last readiness check', async () => {
    const { scenario, drillOptions } = setup('{ rto: 10s }', {
      restoreMs: 2000,
      checks: (clock) => [new FakeCheck('hashes', 'verify', clock, 3000), new FakeCheck('service answers', 'ready', clock, 4000)],
    });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.rto.actualMs, 9000);
    assert.equal(result.verdict, 'PASS');
    assert.deepEqual(result.phases.map((p) => p.name), ['select', 'provision', 'restore', 'verify', 'ready', 'control', 'teardown']);
  });

  it('counts a declared access wait in the RTO forecast of a sample restore', async () => {
    const { scenario, drillOptions } = setup('{ rto: 5h }', { restoreMs: 1000, extra: 'access: { wait: 4h, why: tape recall }\n' });
    const sampled = drillOptions.sourceFor!(scenario) as FakeSource & { sample?: string[]; totalSize?: () => Promise<number> };
    sampled.sample = ['/a'];
    sampled.totalSize = async () => 3000; // ten times the 300 bytes the sample restores
    const result = await runDrill(scenario, { ...drillOptions, sourceFor: () => sampled });
    assert.equal(result.rto.declaredMs, 4 * HOUR);
    assert.equal(result.rto.forecast?.forecastMs, 4 * HOUR + 10 * 1000, 'the full restore at the sample\'s rate, plus the declared wait');
    assert.match(result.rto.forecast!.basis, /declared wait/);
  });

  it('is LATE when right but over the RTO target', async () => {
    const { scenario, drillOptions } = setup('{ rto: 5s }', { restoreMs: 2000, checks: (clock) => [new FakeCheck('slow start', 'ready', clock, 4000)] });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'LATE');
    assert.equal(result.rto.ok, false);
  });

  it('is LATE when the restore point is older than the RPO target', async () => {
    const { scenario, drillOptions } = setup('{ rpo: 26h }', { pointAgeMs: 30 * HOUR });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.rpo.actualMs, 30 * HOUR);
    assert.equal(result.verdict, 'LATE');
  });

  it('FAILs on a backup error and still removes the sandbox', async () => {
    const { scenario, drillOptions, driver } = setup('{ rto: 5s }', { failure: new BackupError('ARCHIVE_UNREADABLE', 'truncated') });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'FAIL');
    assert.equal(result.error?.code, 'ARCHIVE_UNREADABLE');
    assert.equal(driver.provisioned[0]!.disposed, 1);
  });

  it('is an ERROR, before any sandbox exists, when a secret is missing', async () => {
    const { scenario, drillOptions, driver } = setup('{ rto: 5s }', { extra: 'secrets:\n  PW: { env: NOT_SET_ANYWHERE }\n' });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'ERROR');
    assert.equal(result.error?.code, 'SECRET_MISSING');
    assert.equal(driver.provisioned.length, 0);
  });

  it('emits the phases and checks on one event stream, in order', async () => {
    const { scenario, drillOptions, events } = setup('{ rto: 1m }', { checks: (clock) => [new FakeCheck('hashes', 'verify', clock, 10, 'fail')] });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'FAIL');
    const types = events.map((e) => (e.type === 'phase:start' || e.type === 'phase:end' ? `${e.type}:${e.phase}` : e.type));
    assert.deepEqual(types.filter((t) => !t.startsWith('progress')), [
      'drill:start', 'phase:start:select', 'phase:end:select', 'phase:start:provision', 'phase:end:provision',
      'phase:start:restore', 'phase:end:restore', 'phase:start:verify', 'check:result', 'phase:end:verify', 'phase:start:teardown', 'phase:end:teardown', 'drill:end',
    ]);
  });

  it('keeps every teardown error and still removes what it can, and says what was interrupted', async () => {
    const { scenario, drillOptions, driver } = setup('{ rto: 5s }', { failure: new BackupError('ARCHIVE_UNREADABLE', 'truncated') });
    driver.disposeFailure = new Error('the engine went away');
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'FAIL', 'the first failure decides the verdict');
    assert.ok(result.notes.some((n) => /teardown: the sandbox could not be removed: the engine went away/.test(n)), result.notes.join('\n'));
    assert.equal(result.phases.at(-1)?.name, 'teardown');
    assert.equal(result.phases.at(-1)?.status, 'failed');
  });

  it('a teardown error alone makes the drill an ERROR naming it', async () => {
    const { scenario, drillOptions, driver } = setup('{ rto: 5s }');
    driver.disposeFailure = new Error('device busy');
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'ERROR');
    assert.equal(result.error?.code, 'TEARDOWN_FAILED');
    assert.match(result.error?.message ?? '', /device busy/);
  });

  it('an interrupted drill says so, and tears down after saying it', async () => {
    const { scenario, drillOptions, driver, events } = setup('{ rto: 5s }', { checks: (clock) => [new FakeCheck('hashes', 'verify', clock, 10)] });
    const controller = new AbortController();
    drillOptions.signal = controller.signal;
    drillOptions.checksFor = () => [{ kind: 'command', name: 'stops', phase: 'verify', run: async () => { controller.abort(); throw new Error('aborted'); } }];
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.error?.code, 'INTERRUPTED');
    assert.doesNotMatch(result.error?.message ?? '', /removed/);
    assert.equal(driver.provisioned[0]!.disposed, 1);
    assert.ok(events.some((e) => e.type === 'phase:end' && e.phase === 'teardown'));
  });

  it('passes secrets to restore steps through the environment, not the command', async () => {
    const { scenario, drillOptions, driver } = setup('{ rto: 1m }', {
      extra: 'secrets:\n  PGPASSWORD: { env: BILLING_PW }\nrestore:\n  - run: pg_restore dump\n',
      env: { BILLING_PW: 'correct horse' },
    });
    const result = await runDrill(scenario, drillOptions);
    assert.equal(result.verdict, 'PASS');
    assert.deepEqual(driver.provisioned[0]!.commands, [{ command: 'pg_restore dump', env: { PGPASSWORD: 'correct horse' } }]);
    assert.doesNotMatch(JSON.stringify(result), /correct horse/);
  });

  describe('the negative control', () => {
    it('proves checks that fail on an empty restore, in its own phase outside the RTO', async () => {
      const { scenario, drillOptions, driver } = setup('{ rto: 10s }', {
        restoreMs: 2000,
        checks: (clock) => [new FakeCheck('hashes', 'verify', clock, 3000), new FakeCheck('service answers', 'ready', clock, 4000)],
      });
      const result = await runDrill(scenario, drillOptions);
      assert.equal(result.verdict, 'PASS', result.reason);
      assert.equal(result.rto.actualMs, 9000, 'the control is not in the RTO');
      assert.equal(result.phases.find((p) => p.name === 'control')?.durationMs, 7000);
      assert.equal(result.negativeControl?.status, 'passed');
      assert.deepEqual(result.negativeControl?.checks.map((c) => [c.name, c.method, c.status]), [['hashes', 'empty-restore', 'proven'], ['service answers', 'empty-restore', 'proven']]);
      assert.equal(driver.provisioned.length, 2, 'one more sandbox: the empty one');
      assert.deepEqual(driver.provisioned.map((s) => s.disposed), [1, 1]);
      assert.deepEqual(driver.provisioned[1]!.request.backupPaths, [], 'the backup is not visible to the empty sandbox');
    });

    it('makes the verdict ERROR naming a check that passes on nothing', async () => {
      const { scenario, drillOptions } = setup('{ rto: 10s }', {
        checks: (clock) => [new FakeCheck('hashes', 'verify', clock, 10), new FakeCheck('true', 'ready', clock, 10, 'pass', { passesOnNothing: true })],
      });
      const result = await runDrill(scenario, drillOptions);
      assert.equal(result.verdict, 'ERROR');
      assert.equal(result.error?.code, 'CHECK_VACUOUS');
      assert.equal(result.error?.kind, 'input');
      assert.match(result.reason, /the command check "true" passed on an empty restore: its command succeeds without the restored data/);
      assert.doesNotMatch(result.reason, /hashes/);
      assert.equal(result.negativeControl?.status, 'vacuous');
      assert.deepEqual(result.negativeControl?.checks.map((c) => c.status), ['proven', 'vacuous']);
      assert.equal(result.phases.find((p) => p.name === 'control')?.status, 'failed');
      assert.equal(result.rto.actualMs !== undefined, true, 'the restore was measured all the same');
    });

    it('is off with negative_control: false: no extra sandbox', async () => {
      const { scenario, drillOptions, driver } = setup('{ rto: 10s }', {
        extra: 'negative_control: false\n',
        checks: (clock) => [new FakeCheck('true', 'ready', clock, 10, 'pass', { passesOnNothing: true })],
      });
      const result = await runDrill(scenario, drillOptions);
      assert.equal(result.verdict, 'PASS');
      assert.equal(result.negativeControl?.status, 'off');
      assert.equal(driver.provisioned.length, 1);
      assert.ok(!result.phases.some((p) => p.name === 'control'));
    });

    it('does not run when a check failed (the verdict is already FAIL)', async () => {
      const { scenario, drillOptions, driver } = setup('{ rto: 10s }', { checks: (clock) => [new FakeCheck('hashes', 'verify', clock, 10, 'fail')] });
      const result = await runDrill(scenario, drillOptions);
      assert.equal(result.verdict, 'FAIL');
      assert.equal(result.negativeControl?.status, 'not-run');
      assert.equal(driver.provisioned.length, 1);
    });
  });
});

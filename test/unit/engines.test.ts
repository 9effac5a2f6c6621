/** Unit tests of the engine pieces that need no tool: point selection, comparisons, the RTO forecast, the new schema, quoting. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { judge } from '../../harness/checks/compare.ts';
import { forecastRto } from '../../harness/drill/forecast.ts';
import { BackupError, UsageError } from '../../harness/errors.ts';
import { ScenarioError } from '../../harness/errors.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { shellCommand } from '../../harness/shell.ts';
import { parsePointSelector, selectPoint, type RestorePoint } from '../../harness/sources/source.ts';

const point = (id: string, iso: string): RestorePoint => ({ id, time: new Date(iso), location: '/repo' });
const POINTS = [
  point('c3f1a9e0aa', '2026-11-22T03:00:00Z'),
  point('c3f2bb1100', '2026-11-21T03:00:00Z'),
  point('07e96bec48', '2026-11-20T03:00:00Z'),
];

describe('restore point selection', () => {
  it('reads latest, ids and at:<time>', () => {
    assert.equal(parsePointSelector(undefined), 'latest');
    assert.equal(parsePointSelector('latest'), 'latest');
    assert.deepEqual(parsePointSelector('07e96bec'), { id: '07e96bec' });
    assert.deepEqual(parsePointSelector('at:2026-11-21T12:00:00+09:00'), { at: new Date('2026-11-21T03:00:00Z') });
    assert.throws(() => parsePointSelector('at:yesterday'), UsageError);
  });

  it('takes the newest point at or before a time, inclusive', () => {
    assert.equal(selectPoint(POINTS, { at: new Date('2026-11-21T03:00:00Z') }, 'r').id, 'c3f2bb1100');
    assert.equal(selectPoint(POINTS, { at: new Date('2026-11-21T02:59:59Z') }, 'r').id, '07e96bec48');
    assert.equal(selectPoint(POINTS, { at: new Date('2030-01-01T00:00:00Z') }, 'r').id, 'c3f1a9e0aa');
    assert.throws(() => selectPoint(POINTS, { at: new Date('2026-01-01T00:00:00Z') }, 'r'), (err: unknown) => err instanceof BackupError && /oldest is 07e96bec48/.test(err.message));
  });

  it('takes an id, or a unique prefix of 4 characters or more (short ids)', () => {
    assert.equal(selectPoint(POINTS, { id: '07e96bec48' }, 'r').id, '07e96bec48');
    assert.equal(selectPoint(POINTS, { id: '07e9' }, 'r').id, '07e96bec48');
    assert.throws(() => selectPoint(POINTS, { id: '07e' }, 'r'), (err: unknown) => err instanceof BackupError && err.code === 'RESTORE_POINT_NOT_FOUND');
    assert.equal(selectPoint(POINTS, { id: 'c3f1' }, 'r').id, 'c3f1a9e0aa');
    assert.throws(() => selectPoint(POINTS, { id: 'c3f' }, 'r'), BackupError);
    assert.throws(() => selectPoint([...POINTS, point('c3f1a9e0bb', '2026-11-19T00:00:00Z')], { id: 'c3f1a9e0' }, 'r'), (err: unknown) => err instanceof UsageError && /ambiguous/.test(err.message));
  });
});

describe('comparisons (sql expect, http json)', () => {
  const cases: [unknown, string | number | boolean, boolean][] = [
    ['1200', '= 1200', true],
    ['1199', '= 1200', false],
    ['1000', '>= 1000', true],
    ['999', '>= 1000', false],
    ['5', '< 10', true],
    ['0', '!= 0', false],
    [3, 3, true],
    ['3', 3, true],
    [4, 3, false],
    ['ok', 'ok', true],
    ['ok ', 'ok', false],
    [true, true, true],
    [undefined, '>= 1', false],
    ['', '= 0', false],
  ];
  for (const [actual, expected, ok] of cases) {
    it(`${JSON.stringify(actual)} against ${JSON.stringify(expected)} is ${ok ? 'met' : 'not met'}`, () => {
      assert.equal(judge(actual, expected).ok, ok);
    });
  }
  it('says what was returned and what was expected', () => {
    assert.equal(judge('1187', '>= 1200').message, '1187, expected >= 1200');
  });
});

describe('RTO forecast', () => {
  it('scales the sample throughput to the full size and adds the measured rest of the drill', () => {
    const forecast = forecastRto({ samplePaths: ['/a'], sampleBytes: 100e6, sampleFiles: 10, sampleRestoreMs: 10_000, measuredRtoMs: 25_000, totalBytes: 4e12, targetMs: 8 * 3_600_000 });
    assert.ok(forecast);
    assert.equal(forecast.bytesPerSecond, 10e6);
    assert.equal(forecast.forecastRestoreMs, 400_000_000);
    assert.equal(forecast.forecastMs, 400_015_000);
    assert.equal(forecast.ok, false, '4 TB at 10 MB/s is about 4.6 days: over an 8h RTO');
    assert.match(forecast.basis, /FORECAST, not measured/);
  });
  it('has no forecast without a throughput', () => {
    assert.equal(forecastRto({ samplePaths: ['/a'], sampleBytes: 0, sampleFiles: 0, sampleRestoreMs: 10, measuredRtoMs: 10, totalBytes: 5 }), undefined);
  });
});

describe('scenario schema: engine sources and checks', () => {
  const problems = (yaml: string) => {
    try {
      parseScenario(yaml, '/s/x.yaml', 'x.yaml');
      return [];
    } catch (err) {
      assert.ok(err instanceof ScenarioError, String(err));
      return err.problems.map((p) => `${p.field}: ${p.message}`);
    }
  };

  it('accepts a restic source with a sample and a point, and a pgdump inside it', () => {
    const scenario = parseScenario(
      'name: a\nsource:\n  kind: pgdump\n  from: { kind: restic, repository: r, password_env: PW, point: "at:2026-11-01T00:00:00Z", paths: [/srv] }\n  dump: srv/b.dump\n  database: billing\nexpect:\n  canary: { file: x }\n',
      '/s/x.yaml',
    );
    assert.equal(scenario.spec.source.kind, 'pgdump');
    assert.equal(scenario.spec.expect.canary?.length, 1, 'one canary becomes a list');
  });

  it('refuses a password written in the scenario, and a restic source without one', () => {
    assert.match(problems('name: a\nsource: { kind: restic, repository: r, password: hunter2 }\n').join('\n'), /source\.password: write password_env/);
    assert.match(problems('name: a\nsource: { kind: restic, repository: r }\n').join('\n'), /needs exactly one of password_env or password_file/);
  });

  it('wants exactly one of path or from for pgdump, and one expectation per sql check', () => {
    assert.match(problems('name: a\nsource: { kind: pgdump, database: b }\n').join('\n'), /exactly one of path .* or from/);
    assert.match(problems('name: a\nsource: { kind: tar, path: a }\nexpect:\n  sql: [{ query: "select 1", expect: "= 1", rows: [[1]] }]\n').join('\n'), /exactly one of expect, rows or rows_file/);
    assert.deepEqual(problems('name: a\nsource: { kind: tar, path: a, point: latest }\n'), [], 'tar and directory sources take source.point');
    assert.match(problems('name: a\nsource: { kind: tar, path: a, points: latest }\n').join('\n'), /source\.points: unknown field/);
  });

  it('refuses a malformed at: point', () => {
    assert.match(problems('name: a\nsource: { kind: borg, repository: r, point: "at:someday" }\n').join('\n'), /at:<time>/);
  });
});

describe('shell quoting', () => {
  it('passes awkward arguments through the shell unchanged', () => {
    const args = ["it's", 'a b', '$HOME', '`x`', '紹介状 *.txt', '"q"', '\\n', ''];
    const out = spawnSync('/bin/sh', ['-c', `printf '%s\\n' ${shellCommand(args)}`], { encoding: 'utf8' });
    assert.deepEqual(out.stdout.split('\n').slice(0, -1), args);
  });
});

describe('restic restore errors', () => {
  it('tells refused changes of owner (a sandbox without CAP_CHOWN) from real errors', async () => {
    const { onlyOwnershipErrors } = await import('../../harness/sources/restic.ts');
    const owners = 'ignoring error for /data/f.txt: Lchown: lchown /restore/data/f.txt: operation not permitted\nignoring error for /data: Lchown: lchown /restore/data: operation not permitted\nFatal: There were 2 errors\n';
    assert.equal(onlyOwnershipErrors(owners), 2);
    // In bubblewrap's user namespace, where only the sandbox's uid is mapped, lchown gives EINVAL.
    assert.equal(onlyOwnershipErrors(owners.replaceAll('operation not permitted', 'invalid argument')), 2);
    const mixed = 'ignoring error for /data/f.txt: Lchown: lchown /restore/data/f.txt: operation not permitted\nignoring error for /data/g.txt: ciphertext verification failed\nFatal: There were 2 errors\n';
    assert.equal(onlyOwnershipErrors(mixed), 0);
    assert.equal(onlyOwnershipErrors('Fatal: wrong password or no key found\n'), 0);
    assert.equal(onlyOwnershipErrors(owners.replace('There were 2 errors', 'There were 3 errors')), 0);
  });
});

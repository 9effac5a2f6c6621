/** The sql, http, canary and text checks against a scripted sandbox and a fake clock (no database, no network, no sleeping). */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CanaryCheck } from '../../harness/checks/canary.ts';
import type { CheckContext } from '../../harness/checks/check.ts';
import { CommandCheck } from '../../harness/checks/command.ts';
import { HttpCheck } from '../../harness/checks/http.ts';
import { SqlCheck } from '../../harness/checks/sql.ts';
import { TextCheck } from '../../harness/checks/text.ts';
import { FakeClock } from '../../harness/clock.ts';
import type { DrillResult } from '../../harness/drill/result.ts';
import { describeResult } from '../../harness/reporters/console.ts';
import { junitXml } from '../../harness/reporters/junit.ts';
import { InfrastructureError } from '../../harness/errors.ts';
import type { ExecResult, Sandbox } from '../../harness/sandboxes/sandbox.ts';
import { canaryCheckSchema, commandCheckSchema, httpCheckSchema, sqlCheckSchema, textCheckSchema } from '../../harness/scenario/schema.ts';

type Reply = Partial<ExecResult> | ((command: string) => Partial<ExecResult>);

/** Answers each exec with the next scripted reply (the last one repeats), advancing the fake clock. */
function scripted(replies: Reply[], clock: FakeClock, dir = '/nonexistent', stepMs = 1000) {
  const commands: string[] = [];
  let next = 0;
  const sandbox = {
    driver: 'local',
    isolation: { networkIsolated: true, network: 'none', backupProtection: 'fake', notes: [] },
    description: {},
    restoreDir: dir,
    hostRestoreDir: dir,
    backupPath: (p: string) => p,
    exec: async (command: string) => {
      commands.push(command);
      const reply = replies[Math.min(next++, replies.length - 1)]!;
      clock.advance(stepMs);
      return { exitCode: 0, stdout: '', stderr: '', durationMs: stepMs, timedOut: false, ...(typeof reply === 'function' ? reply(command) : reply) };
    },
    logTail: async () => 'the sandbox log',
    dispose: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  } satisfies Sandbox;
  const context: CheckContext = { sandbox, pool: undefined as never, clock, signal: new AbortController().signal, onProgress: () => undefined };
  return { context, commands };
}

describe('sql check', () => {
  it('passes a count, running psql on the given database with the query quoted', async () => {
    const clock = new FakeClock();
    const { context, commands } = scripted([{ stdout: '1200\n' }], clock);
    const result = await new SqlCheck(sqlCheckSchema.parse({ query: "select count(*) from patients where kana <> ''", expect: '= 1200' }), { database: 'billing' }).run(context);
    assert.equal(result.status, 'pass', result.summary);
    assert.match(commands[0]!, /psql .* -d billing .* -c 'select count\(\*\) from patients where kana <> '\\'''\\'''/);
  });

  it('fails a wrong count with the expected and the actual value', async () => {
    const { context } = scripted([{ stdout: '1187\n' }], new FakeClock());
    const result = await new SqlCheck(sqlCheckSchema.parse({ query: 'select count(*) from patients', expect: '>= 1200' }), { database: 'billing' }).run(context);
    assert.equal(result.status, 'fail');
    assert.deepEqual([result.findings[0]!.expected, result.findings[0]!.actual], ['>= 1200', '1187']);
    assert.equal(result.summary, 'returned 1187, expected >= 1200');
  });

  it('compares rows as a set, and shows a unified diff when they differ', async () => {
    const { context } = scripted([{ stdout: 'SU\t外科\nIM\t内科\n' }], new FakeClock());
    const same = await new SqlCheck(sqlCheckSchema.parse({ query: 'q', rows: [['IM', '内科'], ['SU', '外科']] }), { database: 'b' }).run(context);
    assert.equal(same.status, 'pass', same.summary);
    const ordered = await new SqlCheck(sqlCheckSchema.parse({ query: 'q', rows: [['IM', '内科'], ['SU', '外科']], ordered: true }), { database: 'b' }).run(context);
    assert.equal(ordered.status, 'fail');
    assert.match(ordered.summary, /in another order/);
    const differ = await new SqlCheck(sqlCheckSchema.parse({ query: 'q', rows: [['IM', '内科'], ['OP', '眼科']] }), { database: 'b' }).run(context);
    assert.match(differ.summary, /1 expected row missing, 1 unexpected/);
    assert.match(String(differ.details!.diff), /^-OP\t眼科$/m);
    assert.match(String(differ.details!.diff), /^\+SU\t外科$/m);
  });

  it('fails a failing query with its message, and is an infrastructure error when the server is unreachable', async () => {
    const failing = scripted([{ exitCode: 1, stderr: 'ERROR:  relation "claims" does not exist\n' }], new FakeClock());
    const result = await new SqlCheck(sqlCheckSchema.parse({ query: 'select 1 from claims', expect: '= 1' }), { database: 'b' }).run(failing.context);
    assert.equal(result.status, 'fail');
    assert.match(result.summary, /relation "claims" does not exist/);
    const down = scripted([{ exitCode: 2, stderr: 'psql: error: connection to server on socket failed' }], new FakeClock());
    await assert.rejects(new SqlCheck(sqlCheckSchema.parse({ query: 'q', expect: '= 1' }), { database: 'b' }).run(down.context), (err: unknown) => err instanceof InfrastructureError && err.code === 'DATABASE_UNREACHABLE');
  });
});

describe('http check', () => {
  const ok = (body: string, status = 200) => ({ stdout: `${status}\n${body}` });
  const refused = { exitCode: 7, stderr: 'curl: (7) Failed to connect to 127.0.0.1 port 8042' };

  it('retries until the service answers as expected, inside the deadline', async () => {
    const clock = new FakeClock();
    const { context } = scripted([refused, refused, ok('{"CountStudies": 1}'), ok('{"CountStudies": 4, "Nested": {"list": [1, 2]}}')], clock);
    const spec = httpCheckSchema.parse({ url: 'http://127.0.0.1:8042/statistics', json: { CountStudies: 4, 'Nested.list.1': '>= 2' }, until: '1m', interval: '1ms' });
    const result = await new HttpCheck(spec).run(context);
    assert.equal(result.status, 'pass', result.summary);
    assert.equal(result.details!.attempts, 4);
    assert.equal(result.phase, 'ready');
  });

  it('fails at the deadline with what was wrong and the log tail of the service', async () => {
    const clock = new FakeClock();
    const { context, commands } = scripted([refused, refused, refused, refused, refused, (c) => (c.startsWith('tail') ? { stdout: 'E orthanc: database locked\n' } : refused)], clock, '/x', 1000);
    const spec = httpCheckSchema.parse({ url: 'http://127.0.0.1:8042/system', until: '5s', interval: '1ms', log: '/var/log/orthanc/orthanc.log' });
    const result = await new HttpCheck(spec).run(context);
    assert.equal(result.status, 'fail');
    assert.equal(result.findings[0]!.rule, 'no-answer');
    assert.match(result.summary, /not ready by the deadline \(5\.00s\)/);
    assert.equal(result.details!.attempts, 5);
    assert.equal(result.logTail, 'E orthanc: database locked\n');
    assert.match(commands.at(-1)!, /^tail -n 30 \/var\/log\/orthanc\/orthanc\.log$/);
  });

  it('waits between attempts on the injected clock, not the wall clock', async function () {
    this.timeout(2000);
    const clock = new FakeClock();
    const { context } = scripted([refused, refused, refused, ok('{}')], clock, '/x', 0);
    const spec = httpCheckSchema.parse({ url: 'http://127.0.0.1:8042/', until: '10m', interval: '1m' });
    const result = await new HttpCheck(spec).run(context);
    assert.equal(result.status, 'pass', result.summary);
    assert.equal(result.details!.attempts, 4);
    assert.equal(clock.monotonic(), 3 * 60_000, 'three waits of a minute, on the fake clock');
  });

  it('checks the status and the body', async () => {
    const { context } = scripted([ok('<html>maintenance</html>', 503)], new FakeClock());
    const result = await new HttpCheck(httpCheckSchema.parse({ url: 'http://127.0.0.1/', body: 'Welcome', until: '0s' })).run(context);
    assert.deepEqual(result.findings.map((f) => f.rule), ['status', 'body']);
    assert.equal(result.logTail, 'the sandbox log');
  });
});

describe('command check', () => {
  it('retries until it passes, waiting on the injected clock, and gives up at the deadline', async function () {
    this.timeout(2000);
    const clock = new FakeClock();
    const { context } = scripted([{ exitCode: 1 }, { exitCode: 1 }, { exitCode: 0 }], clock, '/x', 0);
    const ready = await new CommandCheck(commandCheckSchema.parse({ run: 'pg_isready', until: '10m', interval: '2m' })).run(context);
    assert.equal(ready.status, 'pass', ready.summary);
    assert.equal(ready.details!.attempts, 3);
    assert.equal(clock.monotonic(), 4 * 60_000);
    const never = scripted([{ exitCode: 1 }], new FakeClock(), '/x', 0);
    const late = await new CommandCheck(commandCheckSchema.parse({ run: 'pg_isready', until: '5m', interval: '1m' })).run(never.context);
    assert.equal(late.status, 'fail');
    assert.equal(late.details!.attempts, 6);
  });

  it('names the memory limit when a command is killed with SIGKILL (exit 137)', async () => {
    const { context } = scripted([{ exitCode: 137 }], new FakeClock(), '/x', 0);
    const result = await new CommandCheck(commandCheckSchema.parse({ run: 'sort big.csv' }), { memory: 256 * 1024 ** 2 }).run(context);
    assert.equal(result.status, 'fail');
    assert.match(result.summary, /exited 137 \(killed with SIGKILL: .*sandbox\.memory, 256(\.0)? MiB\).*expected 0/);
  });

  it('keeps the end of a long output from a word boundary, so no fragment of a secret survives the cut', async () => {
    const secret = 'S3cr3t-t0ken-value';
    const stdout = `${'x'.repeat(3000)} token=${secret} ${'y '.repeat(995)}`;
    const cutInside = stdout.length - 2000;
    assert.ok(stdout.lastIndexOf(secret) < cutInside && stdout.lastIndexOf(secret) + secret.length > cutInside, 'the cut falls inside the secret');
    const { context } = scripted([{ exitCode: 1, stdout }], new FakeClock(), '/x', 0);
    const result = await new CommandCheck(commandCheckSchema.parse({ run: 'env' })).run(context);
    const kept = result.details!.stdout;
    assert.ok(kept.startsWith('... '), kept.slice(0, 20));
    for (let n = 4; n <= secret.length; n++) assert.ok(!kept.includes(secret.slice(-n)), `a ${n}-character end of the secret was kept`);
  });
});

describe('canary and text checks (on a real folder)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-canary-'));
    await mkdir(path.join(dir, 'letters', 'old'), { recursive: true });
    await writeFile(path.join(dir, 'letters', 'a.txt'), 'a');
    await writeFile(path.join(dir, 'letters', 'old', 'b.txt'), 'b');
    await utimes(path.join(dir, 'letters', 'a.txt'), new Date('2026-01-01T20:00:00Z'), new Date('2026-01-01T20:00:00Z'));
    await utimes(path.join(dir, 'letters', 'old', 'b.txt'), new Date('2025-12-01T00:00:00Z'), new Date('2025-12-01T00:00:00Z'));
    await writeFile(path.join(dir, 'expected.conf'), 'a = 1\nb = 2\nc = 3\n');
    await writeFile(path.join(dir, 'restored.conf'), 'a = 1\nb = 20\nc = 3\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a file canary takes the newest file under the folder and judges its age at check time', async () => {
    const clock = new FakeClock(new Date('2026-01-02T03:00:00Z'));
    const { context } = scripted([{}], clock, dir);
    const fresh = await new CanaryCheck(canaryCheckSchema.parse({ file: 'letters' }), { maxAgeMs: 26 * 3_600_000, database: 'postgres' }).run(context);
    assert.equal(fresh.status, 'pass', fresh.summary);
    assert.match(fresh.summary, /letters\/a\.txt\) is 7h0m0s old|letters\/a\.txt\) is 7h old/);
    const stale = await new CanaryCheck(canaryCheckSchema.parse({ file: 'letters', max_age: '6h' }), { maxAgeMs: 1, database: 'postgres' }).run(context);
    assert.equal(stale.status, 'fail');
    assert.equal(stale.findings[0]!.rule, 'stale');
  });

  it('a query canary reads seconds since 1970 and fails when the row is missing', async () => {
    const clock = new FakeClock(new Date('2026-01-02T03:00:00Z'));
    const { context, commands } = scripted([{ stdout: `${Date.parse('2026-01-02T01:00:00Z') / 1000}\n` }, { stdout: '\n' }], clock);
    const check = new CanaryCheck(canaryCheckSchema.parse({ sql: 'select max(written_at) from drill_canary;' }), { maxAgeMs: 3 * 3_600_000, database: 'billing' });
    assert.equal((await check.run(context)).status, 'pass');
    assert.match(commands[0]!, /extract\(epoch from canary\).*from \(select max\(written_at\) from drill_canary\) as canary_query/);
    const missing = await check.run(context);
    assert.equal(missing.status, 'fail');
    assert.match(missing.summary, /canary row is missing/);
  });

  it('text shows a unified diff of a changed file', async () => {
    const { context } = scripted([{}], new FakeClock(), dir);
    const result = await new TextCheck(textCheckSchema.parse({ path: 'restored.conf', expected: 'x' }), path.join(dir, 'expected.conf')).run(context);
    assert.equal(result.status, 'fail');
    assert.match(String(result.details!.diff), /^-b = 2$/m);
    assert.match(String(result.details!.diff), /^\+b = 20$/m);
    const same = await new TextCheck(textCheckSchema.parse({ path: 'expected.conf', expected: 'x' }), path.join(dir, 'expected.conf')).run(context);
    assert.equal(same.status, 'pass');
  });
});

describe('reports of the engine checks', () => {
  it('junit.xml and the console carry the diff, the log tail and the RTO forecast', async () => {
    const result: DrillResult = {
      schema: 'restore-drill/result@1',
      runId: 'r1',
      scenario: { name: 'pacs', file: 'scenarios/pacs.yaml', digest: 'sha256:00' },
      verdict: 'FAIL',
      reason: 'checks failed',
      startedAt: '2026-11-01T00:00:00.000Z',
      endedAt: '2026-11-01T00:01:00.000Z',
      rpo: { measured: '' },
      phases: [],
      host: { hostname: 'h', user: 'u', platform: 'linux' },
      tools: {},
      resultsDir: '/tmp/x',
      notes: [],
      checks: [
        { kind: 'sql', name: 'departments', phase: 'verify', status: 'fail', summary: 'rows differ', findings: [], findingCount: 0, durationMs: 3, details: { database: 'b', query: 'q', diff: '-OP\t眼科\n+SU\t外科' } },
        { kind: 'http', name: 'orthanc', phase: 'ready', status: 'fail', summary: 'not ready by the deadline', findings: [], findingCount: 0, durationMs: 3, logTail: 'E database locked' },
      ],
      rto: {
        measured: '',
        actualMs: 60_000,
        targetMs: 3_600_000,
        forecast: { forecastMs: 7_200_000, ok: false, targetMs: 3_600_000, forecastRestoreMs: 7_140_000, sampleBytes: 1e9, sampleFiles: 10, sampleRestoreMs: 1000, totalBytes: 4e12, bytesPerSecond: 1e9, samplePaths: ['/pacs/2026'], basis: 'FORECAST' },
      },
    };
    const xml = junitXml(result);
    assert.match(xml, /-OP\t眼科\n\+SU\t外科/);
    assert.match(xml, /last lines of the service's log:\nE database locked/);
    const shown = describeResult(result);
    assert.match(shown, /FORECAST \(not measured\): a full restore of 3\.6 TiB would take about 2h against the RTO target of 1h: OVER THE TARGET/);
    assert.match(shown, /^ {8}-OP\t眼科$/m);
    assert.match(shown, /^ {10}E database locked$/m);
  });
});

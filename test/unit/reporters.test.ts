import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EVIDENCE_FILE } from '../../harness/evidence/chain.ts';
import { keyIdOf, type SigningKey } from '../../harness/evidence/keys.ts';
import { verifyEvidenceFile } from '../../harness/evidence/verify.ts';
import type { DrillResult } from '../../harness/drill/result.ts';
import { junitXml } from '../../harness/reporters/junit.ts';
import { FILE_REPORTERS, REPORTERS } from '../../harness/reporters/index.ts';
import { ReporterMultiplexer, type Reporter } from '../../harness/reporters/reporter.ts';

export function sampleResult(overrides: Partial<DrillResult> = {}): DrillResult {
  return {
    schema: 'restore-drill/result@1',
    runId: 'r1',
    scenario: { name: 'share', file: 'scenarios/share.yaml', digest: 'sha256:00' },
    verdict: 'FAIL',
    reason: 'files check failed',
    startedAt: '2026-11-01T00:00:00.000Z',
    endedAt: '2026-11-01T00:00:02.500Z',
    rpo: { measured: '' },
    rto: { measured: '' },
    phases: [],
    checks: [
      { kind: 'files', name: 'files match x.sha256', phase: 'verify', status: 'fail', summary: '1 of 3 files differ', findings: [{ rule: 'changed', subject: 'a<b>&.txt', message: 'a<b>&.txt changed' }], findingCount: 1, durationMs: 1200 },
      { kind: 'command', name: 'ready', phase: 'ready', status: 'pass', summary: 'passed', findings: [], findingCount: 0, durationMs: 5 },
    ],
    host: { hostname: 'h', user: 'u', platform: 'linux' },
    tools: {},
    resultsDir: '/tmp/x',
    notes: [],
    ...overrides,
  };
}

describe('reporters', () => {
  it('junit.xml: one testcase per check plus the verdict, failures carrying escaped findings', () => {
    const xml = junitXml(sampleResult());
    assert.match(xml, /<testsuite name="share" tests="3" failures="2" errors="0"/);
    assert.match(xml, /<failure message="1 of 3 files differ" type="files">a&lt;b&gt;&amp;\.txt changed<\/failure>/);
    assert.match(xml, /<testcase classname="share.command" name="ready" time="0.005"><\/testcase>/);
  });

  it('junit.xml: an ERROR drill is an error, not a failure', () => {
    const xml = junitXml(sampleResult({ verdict: 'ERROR', reason: 'daemon gone', checks: [], error: { code: 'DOCKER_UNREACHABLE', kind: 'infrastructure', message: 'x' } }));
    assert.match(xml, /<error message="daemon gone" type="DOCKER_UNREACHABLE"\/>/);
    assert.match(xml, /errors="1"/);
  });

  it('a reporter that throws is reported each time and still gets the later drills\' events; the others get every event', async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    let disk = 'full';
    const flaky: Reporter = {
      name: 'junit',
      'drill:start': ({ drill }) => {
        if (disk === 'full') throw new Error('disk full');
        seen.push(`junit ${drill.runId}`);
      },
    };
    const good: Reporter = { name: 'console', 'drill:start': ({ drill }) => void seen.push(`console ${drill.runId}`), 'drill:end': () => void seen.push('end') };
    const mux = new ReporterMultiplexer([flaky, good], (name, err) => errors.push(`${name}: ${(err as Error).message}`));
    await mux.emit({ type: 'drill:start', drill: { runId: 'r1', scenario: 's' }, file: 'f' });
    await mux.emit({ type: 'drill:start', drill: { runId: 'r2', scenario: 's' }, file: 'f' });
    disk = 'free again';
    await mux.emit({ type: 'drill:start', drill: { runId: 'r3', scenario: 's' }, file: 'f' });
    await mux.emit({ type: 'drill:end', drill: { runId: 'r3', scenario: 's' }, result: sampleResult() });
    assert.deepEqual(seen, ['console r1', 'console r2', 'junit r3', 'console r3', 'end']);
    assert.deepEqual(errors, ['junit: disk full', 'junit: disk full']);
  });

  it('a follow-on event a reporter emits reaches every reporter after the event that caused it, also when the reporter then throws', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const drill = { runId: 'r', scenario: 's' };
    const evidence: Reporter = {
      name: 'evidence',
      'drill:end': ({ result }, { emit }) => {
        emit({ type: 'evidence:end', drill, result, evidence: { state: 'failed', problems: ['disk full'] } });
        throw new Error('disk full');
      },
    };
    const html: Reporter = {
      name: 'html',
      'drill:end': () => void order.push('html drill:end'),
      'evidence:end': ({ evidence: status }) => void order.push(`html evidence:end ${status.state}`),
    };
    const mux = new ReporterMultiplexer([evidence, html], (name, err) => errors.push(`${name}: ${(err as Error).message}`));
    await mux.emit({ type: 'drill:end', drill, result: sampleResult() });
    assert.deepEqual(order, ['html drill:end', 'html evidence:end failed']);
    assert.deepEqual(errors, ['evidence: disk full']);
  });
});

describe('evidence and html reporters (real files, a real key)', () => {
  let root: string;
  let key: SigningKey;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-reporters-'));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    key = { privateKey, publicKey, keyId: keyIdOf(publicKey), from: 'a test key', anchor: { path: path.join(root, 'anchor.log'), from: 'a test' } };
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('one failed evidence write is reported and shown in its report; the next drill still gets signed evidence', async () => {
    const errors: string[] = [];
    const options = { lang: 'en' as const, signingKey: key };
    const mux = new ReporterMultiplexer(FILE_REPORTERS.map((name) => REPORTERS[name](options)), (name, err) => errors.push(`${name}: ${String(err)}`));
    const first = sampleResult({ runId: 'r1', resultsDir: path.join(root, 'share', 'r1') });
    const second = sampleResult({ runId: 'r2', resultsDir: path.join(root, 'share', 'r2') });
    // What a full disk or a stale temporary file does to the first write: the evidence cannot be made.
    await mkdir(path.join(first.resultsDir, `${EVIDENCE_FILE}.${process.pid}.tmp`), { recursive: true });
    for (const result of [first, second]) await mux.emit({ type: 'drill:end', drill: { runId: result.runId, scenario: 'share' }, result });

    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0]!, /^evidence: /);
    assert.match(await readFile(path.join(first.resultsDir, 'report.html'), 'utf8'), /id="evidence-status" data-state="failed"/);
    await assert.rejects(readFile(path.join(first.resultsDir, EVIDENCE_FILE)));
    const report = await readFile(path.join(second.resultsDir, 'report.html'), 'utf8');
    assert.match(report, /id="evidence-status" data-state="verified"/);
    assert.ok(report.includes(key.keyId), 'the report names the key that signed');
    const verified = await verifyEvidenceFile(path.join(second.resultsDir, EVIDENCE_FILE), [key.publicKey]);
    assert.equal(verified.ok, true, verified.problems.join('; '));
  });

  it('without a signing key the report says "not signed" and no evidence.json is written', async () => {
    const mux = new ReporterMultiplexer(FILE_REPORTERS.map((name) => REPORTERS[name]({ lang: 'en' })), (name, err) => assert.fail(`${name}: ${String(err)}`));
    const result = sampleResult({ runId: 'r3', resultsDir: path.join(root, 'unsigned', 'r3') });
    await mux.emit({ type: 'drill:end', drill: { runId: 'r3', scenario: 'unsigned' }, result });
    assert.match(await readFile(path.join(result.resultsDir, 'report.html'), 'utf8'), /id="evidence-status" data-state="none"/);
    await assert.rejects(readFile(path.join(result.resultsDir, EVIDENCE_FILE)));
  });
});

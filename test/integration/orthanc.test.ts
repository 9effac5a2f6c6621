/**
 * Readiness of a restored application: DICOM studies (made here with dcmtk, backed up with restic)
 * restored into a real Orthanc in the docker sandbox; the http check asks Orthanc's REST API from
 * inside the sandbox. A service that never answers FAILs at the deadline with its log tail.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { generatePacs, type PacsLayout } from '../../harness/demo/pacs.ts';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { containersLabelled, dockerUnavailable } from '../helpers/docker.ts';
import { onlyResult } from '../helpers/engines.ts';
import { writeScenario } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

/** Scenario names of this test process: another run's containers on this host never count as ours. */
const unique = (name: string) => `${name}-${process.pid}`;

describe('http readiness check on a restored Orthanc (docker sandbox)', function () {
  this.timeout(180_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pacs: PacsLayout;

  before(async function () {
    const why = await dockerUnavailable(['restore-drill/pacs:latest']);
    if (why) skipBecause(this, why);
    tmp = await tempDir('rd-orthanc-');
    pacs = await generatePacs(new DockerSandboxDriver(), path.join(tmp.path, 'pacs'), { snapshotTime: new Date(Date.now() - 3_600_000), studies: 2, instancesPerStudy: 3, side: 32 });
  });
  after(async () => {
    await tmp?.remove();
  });

  const scenario = (name: string, body: string) =>
    writeScenario(
      path.join(tmp.path, 'scenarios', `${name}.yaml`),
      [
        `name: ${name}`,
        'source: { kind: restic, repository: ../pacs/repo, password_file: ../pacs/restic-password.txt }',
        'sandbox: { image: "restore-drill/pacs:latest" }',
        'restore:',
        '  - run: start-orthanc',
        body,
      ].join('\n'),
    );
  const drill = (file: string) => runCli(['run', file, '--sandbox', 'docker', '--json', '--results', path.join(tmp.path, 'results')], { timeoutMs: 150_000 });

  it('is ready when Orthanc reports the expected studies and instances', async () => {
    const file = await scenario(
      unique('orthanc-ready'),
      [
        `  - run: storescu -aec RESTOREDRILL +sd +r 127.0.0.1 4242 ${pacs.archive}`,
        'expect:',
        '  http:',
        `    - { url: "http://127.0.0.1:8042/statistics", json: { CountStudies: ${pacs.studies}, CountInstances: ${pacs.studies * pacs.instancesPerStudy} }, until: 1m }`,
        `    - { url: "http://127.0.0.1:8042/patients", body: "[" }`,
        'targets: { rto: 30m }',
        '',
      ].join('\n'),
    );
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', `${result.reason}\n${run.stderr}`);
    assert.deepEqual(result.checks.map((c) => [c.kind, c.phase, c.status]), [['http', 'ready', 'pass'], ['http', 'ready', 'pass']]);
    assert.ok(result.rto.actualMs !== undefined && result.phases.some((p) => p.name === 'ready'));
  });

  it('FAILs when Orthanc holds fewer studies than expected (nothing was sent to it)', async () => {
    const file = await scenario(
      unique('orthanc-empty'),
      ['expect:', '  http:', `    - { url: "http://127.0.0.1:8042/statistics", json: { CountStudies: ${pacs.studies} }, until: 2s, interval: 1s }`, ''].join('\n'),
    );
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.verdict, 'FAIL');
    const finding = result.checks[0]!.findings[0]!;
    assert.equal(finding.subject, 'CountStudies');
    assert.equal(finding.actual, 0);
    assert.equal(finding.expected, pacs.studies);
  });

  it('FAILs a service that never answers at the deadline, with the service log tail', async () => {
    const file = await scenario(
      unique('orthanc-never-ready'),
      ['expect:', '  http:', '    - { url: "http://127.0.0.1:8049/system", until: 3s, interval: 1s, log: /var/log/orthanc/orthanc.log }', ''].join('\n'),
    );
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(run.code, 1);
    assert.equal(result.verdict, 'FAIL');
    const check = result.checks[0]!;
    assert.equal(check.status, 'fail');
    assert.equal(check.findings[0]!.rule, 'no-answer');
    assert.match(check.summary, /not ready by the deadline/);
    assert.ok(check.kind === 'http' && (check.details?.attempts ?? 0) >= 2, 'retried until the deadline');
    assert.match(check.logTail ?? '', /Orthanc has started/);
  });

  it('leaves no container behind', async () => {
    for (const name of [unique('orthanc-ready'), unique('orthanc-empty'), unique('orthanc-never-ready')]) assert.deepEqual(await containersLabelled(`restore-drill.scenario=${name}`), []);
  });
});

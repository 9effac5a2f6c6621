/**
 * The done-when on a restic repository: snapshots of a share taken night after night, the
 * last one after an attack. find-clean names the last clean snapshot, run --point newest-clean PASSes
 * on it, scan on the attacked snapshot FAILs naming the rule and the files. Skipped without restic.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attack } from '../helpers/attacks.ts';
import { runCli } from '../helpers/cli.ts';
import { makePoint } from '../helpers/corpus.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const PASSWORD_VAR = 'RD_TEST_RESTIC_PASSWORD';

describe('scan, find-clean and run --point newest-clean on a restic repository (integration)', function () {
  this.timeout(300_000);
  let work: string;
  let scenario: string;
  let snapshots: { id: string; time: string }[];
  const env = { [PASSWORD_VAR]: 'correct horse battery staple' };

  before(async function () {
    if (spawnSync('sh', ['-c', 'command -v restic'], { stdio: 'ignore' }).status !== 0) skipBecause(this, 'restic is not installed on this host (.ci/run installs it)');
    work = mkdtempSync(path.join(os.tmpdir(), 'rd-ransomware-restic-'));
    const repo = path.join(work, 'repo');
    const share = path.join(work, 'share');
    const restic = (args: string[], cwd = work) =>
      execFileSync('restic', ['-r', repo, '--no-cache', ...args], { cwd, env: { ...process.env, RESTIC_PASSWORD: env[PASSWORD_VAR] }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    restic(['init']);
    for (let v = 0; v <= 3; v++) {
      rmSync(share, { recursive: true, force: true });
      mkdirSync(share);
      makePoint(share, v);
      if (v === 3) attack(share, 'encrypt-first-4k');
      restic(['backup', '--host', 'share-server', '--time', `2026-11-2${v} 03:00:00`, '.'], share);
      if (v === 2) {
        const manifest = await runCli(['manifest', share, '-o', path.join(work, 'share-clean.sha256')]);
        assert.equal(manifest.code, 0, manifest.stderr);
      }
    }
    snapshots = (JSON.parse(restic(['snapshots', '--json'])) as { id: string; time: string }[]).sort((a, b) => (a.time < b.time ? 1 : -1));
    assert.equal(snapshots.length, 4);
    // Backed up as "." from inside the share, the snapshot restores to the root of the restore folder.
    scenario = path.join(work, 'share.yaml');
    writeFileSync(
      scenario,
      [
        'name: share-restic-ransomware',
        `source: { kind: restic, repository: repo, password_env: ${PASSWORD_VAR} }`,
        'expect:',
        '  files: { manifest: share-clean.sha256, extra: forbid }',
        '  ransomware: {}',
        '',
      ].join('\n'),
    );
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('scan on the attacked snapshot FAILs naming the rule and the files', async () => {
    const run = await runCli(['scan', scenario, '--point', snapshots[0]!.id.slice(0, 8), '--sandbox', 'local', '--results', path.join(work, 'results'), '--json'], { env });
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as { point: { id: string }; result: { findings: { rule: string; subject: string; actual: { files: { path: string; actualHex?: string }[] } }[] } };
    assert.equal(out.point.id, snapshots[0]!.id);
    const header = out.result.findings.find((f) => f.rule === 'content-header' && f.subject === 'dicom');
    assert.ok(header, out.result.findings.map((f) => `${f.rule}/${f.subject}`).join(', '));
    assert.ok(header.actual.files.some((f) => f.path === 'pacs/CT0001.dcm' && f.actualHex !== Buffer.from('DICM').toString('hex')));
    assert.ok(out.result.findings.some((f) => f.rule === 'change-burst'));
  });

  it('find-clean names the last clean snapshot', async () => {
    const run = await runCli(['find-clean', scenario, '--sandbox', 'local', '--results', path.join(work, 'results'), '--json'], { env });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const out = JSON.parse(run.stdout) as { clean: { id: string }; ruledOut: { id: string; findings: { rule: string }[] }[] };
    assert.equal(out.clean.id, snapshots[1]!.id);
    assert.deepEqual(out.ruledOut.map((p) => p.id), [snapshots[0]!.id]);
    assert.ok(out.ruledOut[0]!.findings.some((f) => f.rule === 'not-text'));
  });

  it('run --point newest-clean PASSes on it', async () => {
    const run = await runCli(['run', scenario, '--point', 'newest-clean', '--sandbox', 'local', '--results', path.join(work, 'results'), '--json'], { env });
    const out = JSON.parse(run.stdout) as { results: { verdict: string; reason: string; restorePoint: { id: string }; checks: { kind: string; status: string }[] }[] };
    const result = out.results[0]!;
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(run.code, 0);
    assert.equal(result.restorePoint.id, snapshots[1]!.id);
    assert.deepEqual(result.checks.map((c) => [c.kind, c.status]), [['files', 'pass'], ['ransomware', 'pass']]);
  });
});

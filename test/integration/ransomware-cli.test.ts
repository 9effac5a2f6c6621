/**
 * Done when: a backup with clean points followed by an attacked one. find-clean names the last clean
 * point, run --point newest-clean PASSes on it, and scan on the attacked point FAILs naming rule and files.
 * The backups are tar.gz archives made here; the backup folder is checked to be unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import type { PlanResult } from '../../harness/plan/result.ts';
import { attack } from '../helpers/attacks.ts';
import { runCli } from '../helpers/cli.ts';
import { makePoint } from '../helpers/corpus.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

function digestOfFolder(dir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(path.join(dir, name)));
  return hash.digest('hex');
}

describe('scan, find-clean and run --point newest-clean on tar backups (integration)', function () {
  this.timeout(300_000);
  let work: string;
  let backups: string;
  let scenario: string;
  let backupDigest: string;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'rd-ransomware-cli-'));
    backups = path.join(work, 'backups');
    mkdirSync(backups);
    const archive = async (id: string, tree: string, day: number) => {
      const file = path.join(backups, `share-${id}.tar.gz`);
      await tar.c({ gzip: true, cwd: tree, file, portable: true }, readdirSync(tree));
      const time = new Date(Date.UTC(2026, 10, day, 3));
      utimesSync(file, time, time);
    };
    for (let v = 0; v < 3; v++) {
      const tree = path.join(work, `tree-${v}`);
      makePoint(tree, v);
      await archive(`2026112${v}`, tree, 20 + v);
    }
    const attacked = path.join(work, 'tree-3');
    makePoint(attacked, 3);
    attack(attacked, 'encrypt-rename-known');
    await archive('20261123', attacked, 23);
    // The expected state of the last clean point, for the files check of the drill.
    const manifest = await runCli(['manifest', path.join(work, 'tree-2'), '-o', path.join(work, 'share-20261122.sha256')]);
    assert.equal(manifest.code, 0, manifest.stderr);
    scenario = path.join(work, 'share.yaml');
    writeFileSync(
      scenario,
      [
        'name: share-ransomware',
        'system: 地域連携室 共有フォルダ',
        'source: { kind: tar, path: backups/share-*.tar.gz }',
        'expect:',
        '  files: { manifest: share-20261122.sha256, extra: forbid }',
        '  ransomware: { change: { usual_rate: 0.1, burst_factor: 3 } }',
        '',
      ].join('\n'),
    );
    backupDigest = digestOfFolder(backups);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('scan on the attacked point FAILs with findings naming the rule and the files', async () => {
    const run = await runCli(['scan', scenario, '--point', 'share-20261123.tar.gz', '--sandbox', 'local', '--results', path.join(work, 'results'), '--json']);
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as { point: { id: string }; result: { status: string; findings: { rule: string; subject: string; message: string; actual: { files: { path: string }[] } }[] } };
    assert.equal(out.point.id, 'share-20261123.tar.gz');
    assert.equal(out.result.status, 'fail');
    const byRule = new Map(out.result.findings.map((f) => [f.rule, f]));
    assert.ok(byRule.has('name-extension'), [...byRule.keys()].join(', '));
    assert.ok(byRule.has('content-header'));
    assert.ok(byRule.has('change-burst'));
    const pdf = out.result.findings.find((f) => f.rule === 'content-header' && f.subject === 'pdf')!;
    assert.match(pdf.message, /^8 pdf files do not start with the header/);
    assert.ok(pdf.actual.files.some((f) => f.path === 'scans/scan 001.pdf.lockbit'));
  });

  it('scan on a clean point passes and says how much it read', async () => {
    const run = await runCli(['scan', scenario, '--point', 'share-20261122.tar.gz', '--sandbox', 'local', '--results', path.join(work, 'results')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /share-20261122\.tar\.gz .* CLEAN/);
    assert.match(run.stdout, /read: \d+ files named, \d+ sampled, [\d.]+ KiB read/);
    assert.match(run.stdout, /change: [\d.]+% of \d+ files changed since share-20261121\.tar\.gz/);
  });

  it('find-clean names the last clean point and what ruled out the newer one', async () => {
    const run = await runCli(['find-clean', scenario, '--sandbox', 'local', '--results', path.join(work, 'results')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /share-20261123\.tar\.gz .* RULED OUT\n(  \[[a-z-]+\] .*\n)*  \[name-extension\] \d+ LockBit 2\.0 files carry a known ransomware extension/);
    assert.match(run.stdout, /newest clean point: share-20261122\.tar\.gz .*; 1 newer point ruled out/);
  });

  it('run --point newest-clean PASSes on the last clean point', async () => {
    const run = await runCli(['run', scenario, '--point', 'newest-clean', '--sandbox', 'local', '--results', path.join(work, 'results'), '--json']);
    const out = JSON.parse(run.stdout) as { exitCode: number; results: { verdict: string; reason: string; restorePoint: { id: string }; notes: string[]; checks: { kind: string; status: string }[] }[] };
    const result = out.results[0]!;
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(run.code, 0);
    assert.equal(result.restorePoint.id, 'share-20261122.tar.gz');
    assert.deepEqual(result.checks.map((c) => [c.kind, c.status]), [['files', 'pass'], ['ransomware', 'pass']]);
    assert.ok(result.notes.some((n) => /newest-clean: share-20261123\.tar\.gz ruled out: \[/.test(n)), result.notes.join('\n'));
  });

  it('plan run --point newest-clean gives the time spent finding the clean point, beside the RTO', async () => {
    const planFile = path.join(work, 'plans', 'ward.yaml');
    mkdirSync(path.dirname(planFile), { recursive: true });
    writeFileSync(planFile, 'name: ward\ngroups:\n  - systems:\n      - { name: share, scenario: ../share.yaml }\n');
    const run = await runCli(['plan', 'run', planFile, '--point', 'newest-clean', '--sandbox', 'local', '--results', path.join(work, 'results')]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const dir = /plan\.json: (.+)\/plan\.json/.exec(run.stdout)![1]!;
    const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as PlanResult;
    const search = plan.systems[0]!.cleanSearch;
    assert.ok(search, 'the system has its clean point search');
    assert.equal(search.ruledOut, 1, 'the attacked point');
    assert.ok(search.restores >= 2, `the attacked point and the clean one were restored to judge them (${search.restores})`);
    assert.ok(search.durationMs > 0);
    const select = plan.systems[0]!.phases.find((p) => p.name === 'select')!;
    assert.ok(search.durationMs <= select.durationMs, 'found within the select phase, which is not part of the RTO');
    assert.deepEqual(plan.cleanSearch, search, 'the plan\'s figure is its systems\' together');
    assert.match(run.stdout, /share \(share-ransomware\), ready at \+\S+, clean point found in \S+ \(1 ruled out\)/);
    assert.match(run.stdout, /finding the clean points \(beside the RTO\): \S+, 1 ruled out, \d+ restores/);
    assert.match(readFileSync(path.join(dir, 'report.html'), 'utf8'), /<td id="clean-search">[^<]*1 point ruled out/);
  });

  it('find-clean --drill runs the full drill on the point it names', async () => {
    const run = await runCli(['find-clean', scenario, '--drill', '--sandbox', 'local', '--results', path.join(work, 'results'), '--json']);
    assert.match(run.stderr, /newest clean point: share-20261122\.tar\.gz/);
    const out = JSON.parse(run.stdout) as { exitCode: number; results: { verdict: string; restorePoint: { id: string } }[] };
    assert.equal(run.code, 0, run.stderr);
    assert.equal(out.results[0]!.verdict, 'PASS');
    assert.equal(out.results[0]!.restorePoint.id, 'share-20261122.tar.gz');
  });

  it('run on the attacked point itself FAILs on the ransomware check', async () => {
    const run = await runCli(['run', scenario, '--point', 'latest', '--sandbox', 'local', '--results', path.join(work, 'results'), '--json']);
    const out = JSON.parse(run.stdout) as { results: { verdict: string; reason: string }[] };
    assert.equal(run.code, 1);
    assert.equal(out.results[0]!.verdict, 'FAIL');
    assert.match(out.results[0]!.reason, /ransomware check "ransomware indicators" failed/);
  });

  it('says so when no point is clean: find-clean exits 1, run --point newest-clean FAILs', async () => {
    const onlyAttacked = path.join(work, 'attacked-only.yaml');
    writeFileSync(onlyAttacked, 'name: attacked-only\nsource: { kind: tar, path: backups/share-20261123.tar.gz }\nexpect:\n  ransomware: {}\n');
    const search = await runCli(['find-clean', onlyAttacked, '--sandbox', 'local', '--results', path.join(work, 'results')]);
    assert.equal(search.code, 1, search.stderr);
    assert.match(search.stdout, /no clean point: all 1 fired ransomware indicators/);
    const run = await runCli(['run', onlyAttacked, '--point', 'newest-clean', '--sandbox', 'local', '--results', path.join(work, 'results'), '--json']);
    const out = JSON.parse(run.stdout) as { results: { verdict: string; reason: string }[] };
    assert.equal(run.code, 1);
    assert.equal(out.results[0]!.verdict, 'FAIL');
    assert.match(out.results[0]!.reason, /has no clean restore point: all 1 fired ransomware indicators/);
  });

  it('find-clean and newest-clean work in the docker sandbox too, leaving no container', async function () {
    const image = spawnSync('docker', ['image', 'inspect', 'restore-drill/base:latest'], { stdio: 'ignore', timeout: 20_000 });
    if (image.status !== 0) skipBecause(this, 'no Docker engine answers, or the image restore-drill/base:latest is not built (.ci/run builds it)');
    const search = await runCli(['find-clean', scenario, '--sandbox', 'docker', '--results', path.join(work, 'results')]);
    assert.equal(search.code, 0, search.stdout + search.stderr);
    assert.match(search.stdout, /newest clean point: share-20261122\.tar\.gz/);
    const run = await runCli(['run', scenario, '--point', 'newest-clean', '--sandbox', 'docker', '--results', path.join(work, 'results'), '--json']);
    const out = JSON.parse(run.stdout) as { results: { verdict: string; reason: string; restorePoint: { id: string }; sandbox: { driver: string } }[] };
    assert.equal(out.results[0]!.verdict, 'PASS', out.results[0]!.reason);
    assert.equal(out.results[0]!.sandbox.driver, 'docker');
    assert.equal(out.results[0]!.restorePoint.id, 'share-20261122.tar.gz');
    const left = spawnSync('docker', ['ps', '-a', '--filter', 'name=share-ransomware', '--format', '{{.Names}}'], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '');
  });

  it('never wrote to the backup', () => {
    assert.equal(digestOfFolder(backups), backupDigest);
  });
});


/**
 * A share that changes between two nights, each backup carrying the manifest its backup job wrote into
 * the share just before it ran (the real `restore-drill manifest`, GNU tar and restic, the local
 * sandbox): both nights PASS against their own manifests, a flipped byte in night 2 FAILs naming the
 * file, and a point without its manifest FAILs naming the missing manifest.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, cp, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { onlyResult, toolMissing } from '../helpers/engines.ts';
import { gnuTar, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const MANIFEST = '.restore-drill.sha256';
const PASSWORD = 'Restic-Pw-share-nights-7c1e';
const NIGHT_1 = { '紹介状/紹介状_0001.txt': '紹介状 No.0001\n高血圧症\n', '紹介状/紹介状_0002.txt': '紹介状 No.0002\n', 'exports/billing 1.csv': 'id,amount\nP1,100\n', 'scan 001.pdf': '%PDF-1.4\n' };

describe('a share that changes between nights, each backup with its own manifest (real tar and restic)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let share: string;
  let results: string;
  const resticIds: string[] = [];

  /** The backup job's first line: the manifest into the share, by the real CLI. */
  const writeManifestInto = async (folder: string) => {
    const made = await runCli(['manifest', folder, '-o', path.join(folder, MANIFEST)]);
    assert.equal(made.code, 0, made.stderr);
  };
  const restic = (args: string[]) => {
    const ran = spawnSync('restic', ['-q', '-r', path.join(tmp.path, 'restic-repo'), ...args], { cwd: tmp.path, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: tmp.path, RESTIC_PASSWORD: PASSWORD, TZ: 'UTC' } });
    assert.equal(ran.status, 0, ran.stderr);
    return ran.stdout;
  };

  before(async function () {
    const missing = toolMissing('restic');
    if (missing) skipBecause(this, missing);
    tmp = await tempDir('rd-nights-');
    share = path.join(tmp.path, 'share');
    results = path.join(tmp.path, 'results');
    restic(['init']);
    const now = Date.now();
    for (const night of [1, 2]) {
      if (night === 1) await writeTree(share, NIGHT_1);
      else {
        // A day's work: a letter answered (changed), a new letter (added), the export replaced, a scan deleted.
        await appendFile(path.join(share, '紹介状/紹介状_0001.txt'), '返書受領\n');
        await writeFile(path.join(share, '紹介状/紹介状_0003.txt'), '紹介状 No.0003\n');
        await unlink(path.join(share, 'exports/billing 1.csv'));
        await writeFile(path.join(share, 'exports/billing 2.csv'), 'id,amount\nP1,100\nP2,250\n');
        await unlink(path.join(share, 'scan 001.pdf'));
      }
      await writeManifestInto(share);
      await mkdir(path.join(tmp.path, 'nightly'), { recursive: true });
      gnuTar(['-czf', path.join(tmp.path, 'nightly', `share-night${night}.tar.gz`), '-C', share, '.'], tmp.path);
      const time = new Date(now - (night === 1 ? 25 : 1) * 3_600_000);
      spawnSync('touch', ['-d', time.toISOString(), path.join(tmp.path, 'nightly', `share-night${night}.tar.gz`)]);
      restic(['backup', '--host', 'share-server', '--time', time.toISOString().slice(0, 19).replace('T', ' '), share]);
    }
    const snapshots = JSON.parse(restic(['--no-lock', 'snapshots', '--json'])) as { id: string; time: string }[];
    resticIds.push(...snapshots.sort((a, b) => a.time.localeCompare(b.time)).map((s) => s.id));
    // Night 2 with one flipped byte (bit rot), and night 2 backed up without its manifest.
    const damaged = path.join(tmp.path, 'damaged-tree');
    await cp(share, damaged, { recursive: true });
    const victim = path.join(damaged, '紹介状/紹介状_0003.txt');
    const bytes = await readFile(victim);
    bytes[2]! ^= 0x01;
    await writeFile(victim, bytes);
    await mkdir(path.join(tmp.path, 'damaged'));
    gnuTar(['-czf', path.join(tmp.path, 'damaged', 'share.tar.gz'), '-C', damaged, '.'], tmp.path);
    await unlink(path.join(damaged, MANIFEST));
    await writeFile(victim, '紹介状 No.0003\n');
    await mkdir(path.join(tmp.path, 'no-manifest'));
    gnuTar(['-czf', path.join(tmp.path, 'no-manifest', 'share.tar.gz'), '-C', damaged, '.'], tmp.path);
    await rm(damaged, { recursive: true });
  });
  after(() => tmp?.remove());

  const tarScenario = (name: string, archive: string) =>
    writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\nsource: { kind: tar, path: ${archive} }\nexpect:\n  files: { manifest: { inside: ${MANIFEST} } }\ntargets: { rpo: 26h }\n`);
  const drill = async (file: string, extra: string[] = []) => {
    const run = await runCli(['run', file, '--sandbox', 'local', '--json', '--results', results, ...extra], { env: { RD_TEST_RESTIC_PW: PASSWORD } });
    return { code: run.code, result: onlyResult(run.stdout), stderr: run.stderr };
  };

  it('tar: both nights PASS against the manifest each backup carries, which is not compared with itself', async () => {
    const file = await tarScenario('share-tar', '../nightly/share-*.tar.gz');
    for (const [point, files] of [['share-night2.tar.gz', 4], ['share-night1.tar.gz', 4]] as const) {
      const { code, result } = await drill(file, ['--point', point]);
      assert.equal(result.verdict, 'PASS', `${point}: ${result.reason}`);
      assert.equal(code, 0);
      const check = result.checks.find((c) => c.kind === 'files')!;
      assert.equal(check.kind === 'files' && check.details?.verifiedFiles, files, point);
      assert.match(check.kind === 'files' ? check.details!.manifest : '', new RegExp(`\\.restore-drill\\.sha256 \\(in restore point ${point.replace(/\./g, '\\.')}\\)`));
      assert.equal(result.negativeControl?.status, 'passed');
    }
  });

  it('restic: both snapshots PASS against their own manifests', async () => {
    const inside = path.posix.join(path.relative('/', share), MANIFEST);
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'share-restic.yaml'),
      `name: share-restic\nsource: { kind: restic, repository: ../restic-repo, password_env: RD_TEST_RESTIC_PW }\nexpect:\n  files: { manifest: { inside: ${inside} }, path: ${path.relative('/', share)} }\ntargets: { rpo: 26h }\n`,
    );
    for (const id of [...resticIds].reverse()) {
      const { result } = await drill(file, ['--point', id]);
      assert.equal(result.verdict, 'PASS', `${id}: ${result.reason}`);
      assert.equal(result.restorePoint?.id, id);
    }
  });

  it('a flipped byte in night 2 FAILs naming the file, against the manifest written before the backup', async () => {
    const { code, result } = await drill(await tarScenario('share-damaged', '../damaged/share.tar.gz'));
    assert.equal(result.verdict, 'FAIL', result.reason);
    assert.equal(code, 1);
    const check = result.checks.find((c) => c.kind === 'files')!;
    assert.deepEqual(check.findings.map((f) => `${f.rule} ${f.subject}`), ['changed 紹介状/紹介状_0003.txt']);
  });

  it('a point without its manifest FAILs naming the missing manifest and the point', async () => {
    const { code, result } = await drill(await tarScenario('share-no-manifest', '../no-manifest/share.tar.gz'));
    assert.equal(result.verdict, 'FAIL', result.reason);
    assert.equal(code, 1);
    assert.equal(result.error?.code, 'MANIFEST_NOT_IN_POINT');
    assert.match(result.reason, /The manifest \.restore-drill\.sha256 \(expect\.files\.manifest\.inside\) is not in restore point share\.tar\.gz/);
  });
});

/**
 * restore-drill init through the real CLI, on backups made here: a restic repository (init, validate,
 * run PASS unchanged, the password nowhere, the repository untouched), a glob of tar archives, a
 * folder, a hostile archive whose links lead out, and what init refuses (an existing file, a missing
 * flag with no terminal to ask, a wrong password). Local sandbox.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { CLI, runCli, tempDir } from '../helpers/cli.ts';
import { onlyResult, toolMissing, treeDigest } from '../helpers/engines.ts';
import { gnuTar, makeArchive, writeTree } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const PASSWORD = 'Init-Restic-Pw-7c21e9-never-written';
const HOUR = 3_600_000;
const SHARE: Record<string, string | Buffer> = {
  '紹介状/紹介状_0001.txt': '紹介状 No.0001\n傷病名: 高血圧症\n',
  'scans/scan 001.pdf': '%PDF-1.4\n%%EOF\n',
  'images/xray.raw': Buffer.alloc(70 * 1024, 5),
};

/** The CLI with a terminal (a pseudo-terminal from util-linux script), `input` typed into it at once. */
function inTerminal(args: string[], input: string) {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('script', ['-qec', command, '/dev/null'], { input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: '1' } });
}

describe('restore-drill init (real backups, local sandbox)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  /** Outside tmp: a drill fingerprints the folder that holds a single archive or folder, and results written there would change it. */
  let resultsDir: Awaited<ReturnType<typeof tempDir>>;
  let results: string;

  before(async () => {
    tmp = await tempDir('rd-init-');
    resultsDir = await tempDir('rd-init-results-');
    results = resultsDir.path;
  });
  after(async () => {
    await tmp?.remove();
    await resultsDir?.remove();
  });

  const drill = (file: string, env: NodeJS.ProcessEnv = {}) => runCli(['run', file, '--sandbox', 'local', '--json', '--results', results], { env });
  const exists = (file: string) => access(file).then(() => true, () => false);

  describe('a restic repository', () => {
    let repository: string;
    let digestBefore: string;
    let restic: (args: string[]) => string;
    const newestSnapshot = () => (JSON.parse(restic(['snapshots', '--json', '--no-lock'])) as { id: string; time: string }[]).sort((a, b) => b.time.localeCompare(a.time))[0]!.id;
    const backupTime = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString().slice(0, 19).replace('T', ' ');

    before(async function () {
      const missing = toolMissing('restic');
      if (missing) skipBecause(this, missing);
      repository = path.join(tmp.path, 'restic-repo');
      const env = { PATH: process.env.PATH, HOME: tmp.path, TZ: 'UTC', RESTIC_PASSWORD: PASSWORD };
      restic = (args) => {
        const run = spawnSync('restic', ['-r', repository, ...args], { cwd: tmp.path, env, encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`restic ${args.join(' ')}: ${run.stderr}`);
        return run.stdout;
      };
      restic(['init', '-q']);
      await writeTree(path.join(tmp.path, 'share'), SHARE);
      restic(['backup', '-q', '--host', 'ward-a', '--time', backupTime(49), 'share']);
      await writeFile(path.join(tmp.path, 'share', '紹介状', '紹介状_0002.txt'), '紹介状 No.0002\n');
      restic(['backup', '-q', '--host', 'ward-a', '--time', backupTime(25), 'share']);
      digestBefore = await treeDigest(repository);
    });
    after(async () => {
      if (repository && digestBefore) assert.equal(await treeDigest(repository), digestBefore, 'init or the drill wrote to the repository');
    });

    it('writes a scenario that validate accepts and that drills PASS unchanged; the password is nowhere in what it writes; the next night follows the point', async () => {
      const file = path.join(tmp.path, 'scenarios', 'share.yaml');
      const env = { RD_INIT_PW: PASSWORD };
      const init = await runCli(['init', '--restic', repository, '--password-env', 'RD_INIT_PW', '-o', file, '--name', 'ward-share'], { env, cwd: tmp.path });
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /^2 restore points, newest first:\n {2}[0-9a-f]{64} {2}\d{4}-\d\d-\d\d \d\d:\d\d .*\n {2}[0-9a-f]{64} /);
      assert.match(init.stdout, /wrote scenarios\/share\.yaml \(ward-share\): restic source, the newest point [0-9a-f]{64}\n/);
      const text = await readFile(file, 'utf8');
      assert.match(text.split('\n')[0]!, /^# yaml-language-server: \$schema=\S+scenario\.schema\.json$/);
      const written = parse(text) as { source: Record<string, unknown>; expect: { files: { manifest: string; path: string } }; targets: Record<string, string> };
      assert.deepEqual(written.source, { kind: 'restic', repository: '../restic-repo', password_env: 'RD_INIT_PW' });
      assert.equal(written.expect.files.manifest, 'share-manifests/{id}.sha256', 'the expected state follows the point');
      // restic before 0.17 restores a relative backup under its last part, later ones under its full path
      assert.ok(['share', path.join(tmp.path, 'share').slice(1)].includes(written.expect.files.path), `the files check starts at the one path the snapshot holds, not ${written.expect.files.path}`);
      assert.equal(written.targets.rpo, '27h', 'the RPO follows the backup: a day between points, a tenth more');
      const manifest = await readFile(path.join(tmp.path, 'scenarios', 'share-manifests', `${newestSnapshot()}.sha256`), 'utf8');
      assert.deepEqual(manifest.trim().split('\n').map((line) => line.slice(66)), ['images/xray.raw', 'scans/scan 001.pdf', '紹介状/紹介状_0001.txt', '紹介状/紹介状_0002.txt']);
      for (const output of [text, manifest, init.stdout, init.stderr]) assert.ok(!output.includes(PASSWORD), 'the password was written');

      const validate = await runCli(['validate', file]);
      assert.equal(validate.code, 0, validate.stderr);
      const run = await drill(file, env);
      const result = onlyResult(run.stdout);
      assert.equal(result.verdict, 'PASS', result.reason);
      assert.equal(run.code, 0);
      assert.equal(result.restored?.files, 4);
      assert.equal(await readFile(file, 'utf8'), text, 'the drill left the scenario as init wrote it');
      assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD));

      // The next night the share changed: without its manifest the new point FAILs naming the file to write;
      // once the backup job wrote it (restore-drill manifest), the same scenario PASSes again.
      await writeFile(path.join(tmp.path, 'share', 'scans', 'scan 002.pdf'), '%PDF-1.4\n% night two\n%%EOF\n');
      restic(['backup', '-q', '--host', 'ward-a', '--time', backupTime(1), 'share']);
      const next = newestSnapshot();
      digestBefore = await treeDigest(repository);
      const unwritten = onlyResult((await drill(file, env)).stdout);
      assert.equal(unwritten.verdict, 'FAIL', unwritten.reason);
      assert.match(unwritten.reason, new RegExp(`share-manifests/${next}\\.sha256`));
      const job = await runCli(['manifest', path.join(tmp.path, 'share'), '-o', path.join(tmp.path, 'scenarios', 'share-manifests', `${next}.sha256`)]);
      assert.equal(job.code, 0, job.stderr);
      const second = onlyResult((await drill(file, env)).stdout);
      assert.equal(second.verdict, 'PASS', second.reason);
      assert.equal(second.restorePoint?.id, next);
      assert.equal(second.restored?.files, 5);
    });

    it('with a wrong password: ERROR naming the variable, and nothing is written', async () => {
      const file = path.join(tmp.path, 'wrong', 'share.yaml');
      const init = await runCli(['init', '--restic', repository, '--password-env', 'RD_INIT_PW', '-o', file], { env: { RD_INIT_PW: 'Not-The-Password-123' } });
      assert.equal(init.code, 3, init.stderr);
      assert.match(init.stderr, /RD_INIT_PW/);
      assert.equal(await exists(path.join(tmp.path, 'wrong')), false, 'something was written');
      assert.ok(!init.stderr.includes('Not-The-Password-123'));
    });

    it('without --password-env or --password-file and no terminal: exit 64 naming the flags, asking nothing', async () => {
      const init = await runCli(['init', '--restic', repository, '-o', path.join(tmp.path, 'none.yaml')]);
      assert.equal(init.code, 64);
      assert.match(init.stderr, /--restic needs --password-env VAR .* or --password-file FILE \(no terminal is attached to ask for it\)/);
      assert.equal(await exists(path.join(tmp.path, 'none.yaml')), false);
    });
  });

  it('a glob of tar archives: the newest archive, a manifest of it, and a drill that PASSes', async () => {
    const tree = path.join(tmp.path, 'tar-share');
    await writeTree(tree, SHARE);
    await makeArchive(tree, path.join(tmp.path, 'nightly', 'share-2026-12-01.tar.gz'), new Date(Date.now() - 26 * HOUR));
    await writeFile(path.join(tree, 'late.txt'), 'added on the second night\n');
    await makeArchive(tree, path.join(tmp.path, 'nightly', 'share-2026-12-02.tar.gz'), new Date(Date.now() - 2 * HOUR));
    const file = path.join(tmp.path, 'tar.yaml');
    const init = await runCli(['init', '--tar', 'nightly/share-*.tar.gz', '-o', 'tar.yaml'], { cwd: tmp.path });
    assert.equal(init.code, 0, init.stderr);
    const written = parse(await readFile(file, 'utf8')) as { name: string; source: Record<string, string> };
    assert.equal(written.name, 'share');
    assert.deepEqual(written.source, { kind: 'tar', path: 'nightly/share-*.tar.gz' });
    assert.match(await readFile(path.join(tmp.path, 'tar-manifests', 'share-2026-12-02.tar.gz.sha256'), 'utf8'), /  late\.txt\n/);
    const run = await drill(file);
    const result = onlyResult(run.stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(result.restorePoint?.id, 'share-2026-12-02.tar.gz');
  });

  it('a folder: a drill that PASSes; an existing file is not overwritten without --force', async () => {
    const folder = path.join(tmp.path, 'snapshot');
    await writeTree(folder, SHARE);
    const file = path.join(tmp.path, 'dir', 'snapshot.yaml');
    const first = await runCli(['init', '--dir', folder, '-o', file]);
    assert.equal(first.code, 0, first.stderr);
    const text = await readFile(file, 'utf8');
    const run = await drill(file);
    assert.equal(onlyResult(run.stdout).verdict, 'PASS', onlyResult(run.stdout).reason);

    const again = await runCli(['init', '--dir', folder, '-o', file, '--name', 'other']);
    assert.equal(again.code, 64);
    assert.match(again.stderr, /snapshot\.yaml already exists: init does not overwrite it .*--force/);
    assert.equal(await readFile(file, 'utf8'), text);
    // run from the folder that holds the snapshot, a drill's results/ would land in what it watches
    const forced = await runCli(['init', '--dir', 'snapshot', '-o', file, '--name', 'other', '--force'], { cwd: tmp.path });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /note: .* holds the backup, and a drill watches it for changes: .*--results DIR outside it.*BACKUP_CHANGED/);
    assert.doesNotMatch(first.stdout, /note:/);
    assert.match(await readFile(file, 'utf8'), /^name: other$/m);
  });

  it('a point that carries its manifest (written by the backup job): the files check reads it from each point, nothing is written beside the scenario', async () => {
    const tree = path.join(tmp.path, 'carried', 'share');
    await writeTree(tree, SHARE);
    const job = await runCli(['manifest', tree, '-o', path.join(tree, '.restore-drill.sha256')]);
    assert.equal(job.code, 0, job.stderr);
    await makeArchive(path.join(tmp.path, 'carried'), path.join(tmp.path, 'carried-backups', 'share-1.tar.gz'), new Date(Date.now() - 2 * HOUR));
    const file = path.join(tmp.path, 'carried.yaml');
    const init = await runCli(['init', '--tar', path.join(tmp.path, 'carried-backups', '*.tar.gz'), '-o', file]);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /the point carries its manifest \(share\/\.restore-drill\.sha256/);
    const written = parse(await readFile(file, 'utf8')) as { expect: { files: unknown } };
    assert.deepEqual(written.expect.files, { manifest: { inside: 'share/.restore-drill.sha256' }, path: 'share', extra: 'forbid' });
    assert.equal(await exists(path.join(tmp.path, 'carried-manifests')), false, 'a manifest was written on the host');
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.verdict, 'PASS', result.reason);
  });

  it('a hostile archive: links that lead out of the restore are never followed into the manifest', async () => {
    const tree = path.join(tmp.path, 'hostile');
    await writeTree(tree, { 'letter.txt': 'a letter\n' });
    await symlink('/etc', path.join(tree, 'etc-link'));
    await symlink('/etc/passwd', path.join(tree, 'passwd-link'));
    gnuTar(['-czf', path.join(tmp.path, 'hostile.tar.gz'), '-C', tree, '.'], tmp.path);
    const file = path.join(tmp.path, 'hostile.yaml');
    const init = await runCli(['init', '--tar', path.join(tmp.path, 'hostile.tar.gz'), '-o', file]);
    assert.equal(init.code, 0, init.stderr);
    const manifest = await readFile(path.join(tmp.path, 'hostile.sha256'), 'utf8');
    assert.deepEqual(manifest.trim().split('\n').map((line) => line.slice(66)), ['letter.txt']);
    assert.equal(onlyResult((await drill(file)).stdout).verdict, 'PASS');
  });

  it('with a terminal attached, asks for what the flags left out; answers typed ahead are kept, and the input ending is no answer', async function () {
    if (toolMissing('script')) skipBecause(this, 'script (util-linux) is not installed: it gives the CLI a terminal');
    const folder = path.join(tmp.path, 'asked');
    await writeTree(folder, SHARE);
    const file = path.join(tmp.path, 'asked.yaml');
    const asked = inTerminal(['init', '-o', file], `directory\n${folder}\n`);
    assert.equal(asked.status, 0, asked.stdout);
    assert.match(asked.stdout, /What kind of backup .*Where is the backup \(--dir PATH\)\?/s);
    assert.equal((parse(await readFile(file, 'utf8')) as { source: { kind: string } }).source.kind, 'directory');
    assert.equal((await runCli(['validate', file])).code, 0);
    const ended = inTerminal(['init', '-o', path.join(tmp.path, 'ended.yaml')], 'restic\n');
    assert.equal(ended.status, 64, ended.stdout);
    assert.match(ended.stdout, /init needs the backup: --restic REPO: no answer was given/);
    assert.ok(!/\n\s+at /.test(ended.stdout), 'a stack trace was printed');
  });

  it('no backup flag and no terminal: exit 64 naming the flags; no file is left behind', async () => {
    const before = await readdir(tmp.path);
    const init = await runCli(['init', '-o', path.join(tmp.path, 'nothing.yaml')]);
    assert.equal(init.code, 64);
    assert.match(init.stderr, /init needs the backup to describe: one of --tar PATH\|GLOB, --dir PATH, --restic REPO, --borg REPO, --pgdump FILE/);
    assert.deepEqual(await readdir(tmp.path), before);
  });
});

/**
 * The real CLI on real archives made here, in the local sandbox: verdicts, exit codes, results files,
 * refused archive entries, damaged archives, interruption.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, stat, symlink, truncate, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { DrillResult } from '../../harness/drill/result.ts';
import { processesInside } from '../../harness/sandboxes/folder-users.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { gnuTar, makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const HOUR = 3_600_000;

describe('restore-drill run (local sandbox, real archives)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;

  before(async () => {
    tmp = await tempDir('rd-cli-');
    results = path.join(tmp.path, 'results');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree);
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'backups', 'share-old.tar.gz'), new Date(Date.now() - 30 * HOUR));
    await makeArchive(tree, path.join(tmp.path, 'backups', 'share-new.tar.gz'), new Date(Date.now() - 2 * HOUR));
  });
  after(() => tmp.remove());

  const scenario = (name: string, body: string) =>
    writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\n${body}`);

  async function resultOf(stdout: string): Promise<DrillResult[]> {
    return (JSON.parse(stdout) as { results: DrillResult[] }).results;
  }

  it('PASSes a good backup, writes result.json and junit.xml, and removes the sandbox', async () => {
    const file = await scenario('good', `source: { kind: tar, path: ../backups/share-*.tar.gz }
expect:
  files: { manifest: ../expected/share.sha256 }
  command:
    - run: cat 紹介状/紹介状_0001.txt
      stdout: 高血圧症
targets: { rto: 5m, rpo: 26h }
`);
    const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json']);
    assert.equal(code, 0, stderr);
    const [result] = await resultOf(stdout);
    assert.equal(result!.verdict, 'PASS');
    assert.equal(result!.restorePoint!.id, 'share-new.tar.gz', 'latest is the newest archive');
    assert.ok(result!.rpo.actualMs! >= 2 * HOUR && result!.rpo.actualMs! < 3 * HOUR);
    assert.equal(result!.checks.length, 2);
    assert.equal(result!.sandbox!.driver, 'local');
    const onDisk = JSON.parse(await readFile(path.join(result!.resultsDir, 'result.json'), 'utf8')) as DrillResult;
    assert.equal(onDisk.verdict, 'PASS');
    assert.match(await readFile(path.join(result!.resultsDir, 'junit.xml'), 'utf8'), /<testsuite name="good" tests="4" failures="0"/);
    assert.equal(onDisk.negativeControl?.status, 'passed', 'the negative control is in result.json');
    assert.deepEqual(onDisk.negativeControl?.checks.map((c) => [c.kind, c.method, c.status]), [['files', 'manipulated-view', 'proven'], ['command', 'empty-restore', 'proven']]);
    assert.ok(onDisk.phases.some((p) => p.name === 'control' && p.status === 'passed'));
    await assert.rejects(stat(result!.sandbox!.description.root!), 'the sandbox folder is removed');
  });

  it('is LATE (exit 2) when an older point is chosen and it is past the RPO', async () => {
    const file = await scenario('old-point', `source: { kind: tar, path: ../backups/share-*.tar.gz }
expect: { files: { manifest: ../expected/share.sha256 } }
targets: { rpo: 26h }
`);
    const { code, stdout } = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json', '--point', 'share-old.tar.gz']);
    assert.equal(code, 2);
    const [result] = await resultOf(stdout);
    assert.equal(result!.verdict, 'LATE');
    assert.equal(result!.rpo.ok, false);
  });

  it('FAILs (exit 1) naming a file whose byte was flipped', async () => {
    const tree = path.join(tmp.path, 'flipped');
    await writeTree(tree);
    const victim = path.join(tree, '紹介状/紹介状_0002.txt');
    const bytes = await readFile(victim);
    bytes[3]! ^= 0x01;
    await writeFile(victim, bytes);
    await makeArchive(tree, path.join(tmp.path, 'backups-flipped', 'share.tar'));
    const file = await scenario('flipped', `source: { kind: tar, path: ../backups-flipped/share.tar }
expect: { files: { manifest: ../expected/share.sha256 } }
`);
    const { code, stdout } = await runCli(['run', file, '--sandbox', 'local', '--results', results]);
    assert.equal(code, 1);
    assert.match(stdout, /FAIL {2}flipped/);
    assert.match(stdout, /紹介状\/紹介状_0002\.txt changed: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/);
  });

  it('FAILs naming a truncated archive, and never writes to the backup', async () => {
    const archive = path.join(tmp.path, 'backups-truncated', 'share.tar.gz');
    await makeArchive(path.join(tmp.path, 'share'), archive);
    await truncate(archive, Math.floor((await stat(archive)).size / 2));
    const before = await stat(archive);
    const file = await scenario('truncated', `source: { kind: tar, path: ../backups-truncated/share.tar.gz }
expect: { files: { manifest: ../expected/share.sha256 } }
`);
    const { code, stdout } = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json']);
    assert.equal(code, 1);
    const [result] = await resultOf(stdout);
    assert.equal(result!.error?.code, 'ARCHIVE_UNREADABLE');
    assert.match(result!.reason, /share\.tar\.gz could not be read: .*truncated or damaged/);
    const after = await stat(archive);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(after.size, before.size);
  });

  it('refuses archive entries that would land outside the restore folder, naming them (a link to outside is no such entry)', async () => {
    const work = path.join(tmp.path, 'evil');
    await mkdir(path.join(work, 'inside'), { recursive: true });
    await writeFile(path.join(work, 'inside', 'ok.txt'), 'fine');
    await writeFile(path.join(work, 'escape.txt'), 'outside');
    await symlink('/etc/passwd', path.join(work, 'inside', 'passwd-link'));
    const archive = path.join(tmp.path, 'backups-evil', 'evil.tar');
    await mkdir(path.dirname(archive), { recursive: true });
    // GNU tar keeps "../escape.txt" with -P; node-tar would refuse to write it.
    gnuTar(['-cPf', archive, 'ok.txt', 'passwd-link', '../escape.txt'], path.join(work, 'inside'));
    const file = await scenario('evil', 'source: { kind: tar, path: ../backups-evil/evil.tar }\n');
    const { code, stdout } = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json']);
    assert.equal(code, 1);
    const [result] = await resultOf(stdout);
    assert.equal(result!.error?.code, 'ARCHIVE_ENTRY_OUTSIDE_ROOT');
    assert.match(result!.error!.message, /1 entry .*\.\.\/escape\.txt/);
    assert.doesNotMatch(result!.error!.message, /passwd-link/);
    await assert.rejects(stat(path.join(os.tmpdir(), 'escape.txt')));
  });

  it('restores .tar.zst archives', async function () {
    if (typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync !== 'function') skipBecause(this, `this Node.js (${process.version}) has no zstd in node:zlib (Node 22.15+ and 23.8+ have it)`);
    const plain = path.join(tmp.path, 'plain.tar');
    await makeArchive(path.join(tmp.path, 'share'), plain);
    const zst = path.join(tmp.path, 'backups-zst', 'share.tar.zst');
    await mkdir(path.dirname(zst), { recursive: true });
    await writeFile(zst, (zlib as unknown as { zstdCompressSync(b: Buffer): Buffer }).zstdCompressSync(await readFile(plain)));
    const file = await scenario('zst', 'source: { kind: tar, path: ../backups-zst/share.tar.zst }\nexpect: { files: { manifest: ../expected/share.sha256 } }\n');
    const { code, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results]);
    assert.equal(code, 0, stderr);
  });

  it('is an ERROR (exit 3) naming the scenario line when a secret is missing', async () => {
    const file = await scenario('secret', 'source: { kind: tar, path: ../backups/share-new.tar.gz }\nsecrets:\n  PGPASSWORD: { env: RD_TEST_UNSET_SECRET }\n');
    const { code, stdout } = await runCli(['run', file, '--sandbox', 'local', '--results', results]);
    assert.equal(code, 3);
    assert.match(stdout, /ERROR {2}secret: .*secret\.yaml:4:3 secrets\.PGPASSWORD: the environment variable RD_TEST_UNSET_SECRET is not available/);
  });

  it('cuts the sandbox off the network where the host allows it: a connection to the host fails', async function () {
    const probe = spawnSync('unshare', ['--net', 'true']);
    if (probe.status !== 0) skipBecause(this, `this host does not allow a private network namespace (unshare --net: ${probe.stderr?.toString().trim() || `exit ${probe.status}`})`);
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    let connections = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const connect = `bash -c 'echo hello > /dev/tcp/127.0.0.1/${port}'`;
      // The same connection from the host works: the listener is really there.
      assert.equal(spawnSync('timeout', ['5', 'sh', '-c', connect]).status, 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(connections, 1);
      // These checks test the sandbox, not the backup: they pass on an empty restore too, by design.
      const file = await scenario('isolated', `source: { kind: tar, path: ../backups/share-new.tar.gz }
negative_control: false
expect:
  command:
    - name: the host's loopback listener is unreachable
      run: timeout 5 ${connect}
      exit: 1
    - name: only a loopback interface exists
      run: tail -n +3 /proc/net/dev | cut -d':' -f1 | tr -d ' '
      stdout: /^lo\\n?$/
`);
      const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json']);
      assert.ok(stdout, stderr);
      const [result] = await resultOf(stdout);
      assert.equal(code, 0, JSON.stringify(result!.checks, null, 2));
      assert.equal(result!.sandbox!.isolation.networkIsolated, true);
      assert.equal(connections, 1, 'no connection came from inside the sandbox');
    } finally {
      server.close();
    }
  });

  it('runs several scenarios in parallel and exits with the worst verdict', async () => {
    const { code, stdout } = await runCli(['run', path.join(tmp.path, 'scenarios', 'good.yaml'), path.join(tmp.path, 'scenarios', 'flipped.yaml'), '--sandbox', 'local', '--results', results, '--parallel', '2', '--json']);
    assert.equal(code, 1);
    const verdicts = (await resultOf(stdout)).map((r) => r.verdict).sort();
    assert.deepEqual(verdicts, ['FAIL', 'PASS']);
  });

  /**
   * Starts a drill whose readiness check hangs, and hands the child to `act` once the check runs. The
   * sandbox is made under a folder of this test's own (TMPDIR), where the test finds it: the check,
   * inside the sandbox, cannot write anywhere else on the host.
   */
  async function hangingDrill(name: string, act: (child: import('node:child_process').ChildProcess) => void, extra: { args?: string[]; env?: NodeJS.ProcessEnv } = {}) {
    const base = path.join(tmp.path, `sandboxes-${name}`);
    await mkdir(base, { recursive: true });
    const file = await scenario(name, `source: { kind: tar, path: ../backups/share-new.tar.gz }
expect:
  command:
    - run: touch .started; sleep 30
      timeout: 60s
`);
    let restoreDir = '';
    const outcome = await runCli(['run', file, '--sandbox', 'local', '--results', results, ...(extra.args ?? [])], {
      env: { TMPDIR: base, ...extra.env },
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          for (const entry of await readdir(base)) {
            const restore = path.join(base, entry, 'restore');
            if (!(await stat(path.join(restore, '.started')).then(() => true, () => false))) continue;
            clearInterval(poll);
            restoreDir = restore;
            act(child);
          }
        }, 100);
      },
    });
    return { ...outcome, restoreDir, base };
  }

  for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`removes the sandbox when stopped with ${signal} mid-drill (exit ${exitCode})`, async () => {
      const name = `stopped-${signal.toLowerCase()}`;
      const { code, stderr, restoreDir } = await hangingDrill(name, (child) => child.kill(signal));
      assert.equal(code, exitCode, stderr);
      assert.ok(restoreDir.includes(`restore-drill-${name}-`), restoreDir);
      await assert.rejects(stat(path.dirname(restoreDir)), 'the sandbox folder is gone');
      const runs = await readdir(path.join(results, name));
      const result = JSON.parse(await readFile(path.join(results, name, runs[0]!, 'result.json'), 'utf8')) as DrillResult;
      assert.equal(result.verdict, 'ERROR');
      assert.equal(result.error?.code, 'INTERRUPTED');
    });
  }

  it('a killed harness leaves its sandbox, and the next run removes it and says so', async function () {
    this.timeout(150_000);
    // Sandboxes in a folder of this test's own, so that no other run on this host tidies them first.
    const { restoreDir, base } = await hangingDrill('killed', (child) => child.kill('SIGKILL'));
    const sandboxRoot = path.dirname(restoreDir);
    assert.ok((await stat(sandboxRoot)).isDirectory(), 'SIGKILL leaves the sandbox behind');
    assert.deepEqual(await settled(() => processesInside(sandboxRoot)), [], 'the check died with the harness (bwrap --die-with-parent)');
    await ageOwner(sandboxRoot);
    const next = await scenario('after-crash', 'source: { kind: tar, path: ../backups/share-new.tar.gz }\n');
    const { stdout, stderr } = await runCli(['run', next, '--sandbox', 'local', '--results', results], { env: { TMPDIR: base } });
    assert.ok(stdout.includes(`removed the local sandbox ${sandboxRoot} left by a run that ended without cleaning up`), stdout + stderr);
    await assert.rejects(stat(sandboxRoot));
  });

  it('the next run does not remove a leftover whose unconfined command still runs (--unsafe-local)', async function () {
    this.timeout(150_000);
    const noBwrap = path.join(tmp.path, 'no-bwrap-bin');
    await mkdir(noBwrap, { recursive: true });
    const { restoreDir, base } = await hangingDrill('orphan', (child) => child.kill('SIGKILL'), { args: ['--unsafe-local'], env: { PATH: noBwrap } });
    const sandboxRoot = path.dirname(restoreDir);
    const orphans = await processesInside(sandboxRoot);
    try {
      assert.ok(orphans.length > 0, 'without a sandbox the command outlives the killed harness');
      await ageOwner(sandboxRoot);
      const next = await scenario('after-orphan', 'source: { kind: tar, path: ../backups/share-new.tar.gz }\n');
      const again = () => runCli(['run', next, '--sandbox', 'local', '--results', results], { env: { TMPDIR: base } });
      await again();
      assert.ok((await stat(sandboxRoot)).isDirectory(), 'a folder a process still works in is left alone');
      for (const pid of orphans) process.kill(pid, 'SIGKILL');
      assert.deepEqual(await settled(() => processesInside(sandboxRoot)), []);
      const { stdout } = await again();
      assert.ok(stdout.includes(`removed the local sandbox ${sandboxRoot}`), stdout);
    } finally {
      for (const pid of orphans) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});

/** Ages a leftover sandbox past the grace period, as if the crash were a while ago. */
async function ageOwner(sandboxRoot: string): Promise<void> {
  const owner = path.join(sandboxRoot, 'owner.json');
  const recorded = JSON.parse(await readFile(owner, 'utf8')) as { created: number };
  await writeFile(owner, JSON.stringify({ ...recorded, created: recorded.created - 10 * 60_000 }));
}

/** The value of `probe` once it is empty, or after 3 s (processes take a moment to die). */
async function settled<T>(probe: () => Promise<T[]>): Promise<T[]> {
  const until = Date.now() + 3000;
  let value = await probe();
  while (value.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}

describe('restore-drill validate, manifest, points, --help', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (tmp = await tempDir('rd-cli2-')));
  after(() => tmp.remove());

  it('validate: exit 65 with file:line:col field for every problem', async () => {
    const file = await writeScenario(path.join(tmp.path, 'bad.yaml'), 'name: bad\nsource:\n  kind: tar\n  path: missing/*.tar\ntargets:\n  rto: soon\n');
    const { code, stderr } = await runCli(['validate', file], { cwd: tmp.path });
    assert.equal(code, 65);
    assert.match(stderr, /bad\.yaml:6:8 targets\.rto: expected a duration like 30m or 2h, got 'soon'/);
  });

  it('validate: names a backup path that matches nothing', async () => {
    const file = await writeScenario(path.join(tmp.path, 'refs.yaml'), 'name: refs\nsource:\n  kind: tar\n  path: missing/*.tar\n');
    const { code, stderr } = await runCli(['validate', file], { cwd: tmp.path });
    assert.equal(code, 65);
    assert.match(stderr, /refs\.yaml:4:9 source\.path: .*missing\/\*\.tar matches nothing/);
  });

  it('validate: accepts the bundled scenarios once the demo data exists', async () => {
    const { code, stdout, stderr } = await runCli(['validate', 'scenarios']);
    if (code === 65 && /npm run demo/.test(stderr)) return; // demo data not made on this machine yet
    assert.equal(code, 0, stderr);
    assert.match(stdout, /ok {2}scenarios\/share-nightly\.yaml/);
  });

  it('manifest: coreutils format that sha256sum -c accepts', async () => {
    const tree = path.join(tmp.path, 'tree');
    await writeTree(tree);
    const out = path.join(tmp.path, 'tree.sha256');
    const { code, stderr } = await runCli(['manifest', tree, '-o', out]);
    assert.equal(code, 0, stderr);
    const check = spawnSync('sha256sum', ['-c', '--strict', out], { cwd: tree, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const paths = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => l.slice(66));
    assert.deepEqual(paths, [...paths].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('points: newest first, with age against the RPO', async () => {
    const tree = path.join(tmp.path, 'tree');
    await makeArchive(tree, path.join(tmp.path, 'b', 'a-older.tar'), new Date(Date.now() - 40 * HOUR));
    await makeArchive(tree, path.join(tmp.path, 'b', 'z-newer.tar'), new Date(Date.now() - HOUR));
    const file = await writeScenario(path.join(tmp.path, 'points.yaml'), 'name: points\nsource: { kind: tar, path: b/*.tar }\ntargets: { rpo: 26h }\n');
    const { code, stdout } = await runCli(['points', file]);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[1]!, /^z-newer\.tar .* within RPO/);
    assert.match(lines[2]!, /^a-older\.tar .* OLDER THAN RPO/);
  });

  it('--help lists every command and the exit codes; a bad option exits 64', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['run', 'validate', 'manifest', 'points', 'demo']) assert.match(help.stdout, new RegExp(`\\n  ${command}\\b`));
    assert.match(help.stdout, /65 +invalid scenario file/);
    const runHelp = await runCli(['run', '--help']);
    for (const option of ['--sandbox', '--results', '--point', '--parallel', '--json']) assert.match(runHelp.stdout, new RegExp(option));
    const bad = await runCli(['run', '--no-such-option']);
    assert.equal(bad.code, 64);
    const badParallel = await runCli(['run', '--parallel', 'zero']);
    assert.equal(badParallel.code, 64);
  });
});

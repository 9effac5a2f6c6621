/**
 * Hostile restore steps in the local sandbox (issue 15, items 3 and 7), through the real CLI: each
 * step tries to break out (write the backup, plant a file beside it, read host files, the docker
 * socket, the harness's environment, keep a process alive) and prints what happened; the transcript
 * (logs/exec.log) and the host say whether it worked. Then: no bubblewrap (commands refused, or run
 * with the loud opt-in), a backup changed during the drill (ERROR BACKUP_CHANGED), and SIGHUP.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { access, copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, writeScenario, writeTree } from '../helpers/fixtures.ts';

const CANARY = 'canary-7f3a9c-not-for-sandboxes';
const DOCKER_SOCKET = '/var/run/docker.sock';

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Command lines of this host's processes whose command line contains `needle`. */
async function processesWith(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').join(' ').includes(needle)) found.push(`${pid}: ${cmdline.split('\0').join(' ')}`);
  }
  return found;
}

describe('hostile restore steps in the local sandbox (bubblewrap)', function () {
  this.timeout(120_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;
  let archive: string;
  let secretFile: string;
  let noBwrapPath: string;

  before(async function () {
    tmp = await tempDir('rd-hostile-local-');
    results = path.join(tmp.path, 'results');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree);
    archive = path.join(tmp.path, 'backups', 'share.tar.gz');
    await makeArchive(tree, archive, new Date(Date.now() - 3_600_000));
    secretFile = path.join(tmp.path, 'host-secret.txt');
    await writeFile(secretFile, 'HOST-SECRET-CONTENT\n');
    // A PATH with no bwrap on it: how the tests stand for a host without bubblewrap.
    noBwrapPath = path.join(tmp.path, 'no-bwrap-bin');
    await mkdir(noBwrapPath);
  });
  after(() => tmp.remove());

  const scenario = (name: string, body: string) => writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\n${body}`);

  async function run(file: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
    const outcome = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json', ...extra], { env: { RESTORE_DRILL_TEST_CANARY: CANARY, ...env } });
    assert.ok(outcome.stdout, outcome.stderr);
    const result = (JSON.parse(outcome.stdout) as { results: DrillResult[] }).results[0]!;
    return { ...outcome, result };
  }

  function requireBwrap(this: Mocha.Context): void {
    const probe = spawnSync('bwrap', ['--unshare-user', '--unshare-pid', '--unshare-net', '--ro-bind', '/', '/', 'true']);
    if (probe.status !== 0) {
      console.log(`      (skipped: bubblewrap cannot make a sandbox on this host: ${probe.error?.message ?? probe.stderr?.toString().trim()}; apt-get install bubblewrap)`);
      this.skip();
    }
  }

  it('every attempt to break out fails, the backup is unchanged, and the drill says what protected it', async function () {
    requireBwrap.call(this);
    const before = await sha256(archive);
    const dockerSocket = await access(DOCKER_SOCKET).then(() => true, () => false);
    const steps = [
      `if echo tampered >> '${archive}'; then echo ATTACK-APPENDED; else echo append-refused; fi`,
      // Only the drilled archive is bound into the sandbox (not its folder): a write beside it lands in the
      // sandbox's own file system, or is refused. What counts is the host's folder, checked below.
      `if touch '${path.dirname(archive)}/planted'; then echo plant-inside-the-sandbox-only; else echo plant-refused; fi`,
      `cat '${secretFile}' || echo host-file-hidden`,
      `if [ -e ${DOCKER_SOCKET} ]; then echo ATTACK-DOCKER-SOCKET; else echo docker-socket-absent; fi`,
      `cat /proc/1/environ /proc/$PPID/environ /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c RESTORE_DRILL_TEST_CANARY || echo environ-clean`,
      `echo "uid=$(id -u)"; grep CapEff /proc/self/status`,
      `ls /root /work /var/run 2>&1 | head -3; echo listed`,
      `(sleep 313 > /dev/null 2>&1 &); echo background-started`,
    ];
    const file = await scenario('breakout', `source: { kind: tar, path: ${archive} }
restore:
${steps.map((run) => `  - run: ${JSON.stringify(run)}`).join('\n')}
expect:
  command:
    - name: restored data is there and writable
      run: cat README.txt && touch made-by-check
      stdout: department share
`);
    const { code, stderr, result } = await run(file);
    const log = await readFile(path.join(result.resultsDir, 'logs', 'exec.log'), 'utf8');
    assert.equal(code, 0, `${stderr}\n${log}\n${JSON.stringify(result.error ?? result.checks)}`);
    assert.equal(result.verdict, 'PASS');
    assert.doesNotMatch(log, /^ATTACK-/m, log);
    assert.match(log, /append-refused/);
    assert.match(log, /plant-refused|plant-inside-the-sandbox-only/);
    assert.match(log, /host-file-hidden/);
    assert.doesNotMatch(log, /HOST-SECRET-CONTENT/);
    assert.match(log, /docker-socket-absent/, dockerSocket ? 'the host has a docker socket: the sandbox must not' : '');
    assert.match(log, /environ-clean|^0$/m);
    assert.ok(!log.includes(CANARY), 'the harness environment leaked into the sandbox');
    assert.match(log, /uid=(\d+)/);
    assert.notEqual(/uid=(\d+)/.exec(log)![1], '0', 'commands do not run as root');
    assert.match(log, /CapEff:\s+0+\n/);
    assert.match(log, /background-started/);
    assert.deepEqual(await processesWith('sleep 313'), [], 'the background process of a step dies with the step');
    assert.equal(await sha256(archive), before, 'the backup bytes are unchanged');
    await assert.rejects(stat(path.join(path.dirname(archive), 'planted')));
    assert.equal(result.sandbox!.isolation.backupProtection, 'read-only bind mount (bubblewrap)');
    assert.equal(result.sandbox!.isolation.networkIsolated, true);
    await assert.rejects(stat(result.sandbox!.description.root!), 'the sandbox folder is removed');
  });

  it('a sandbox bubblewrap cannot set up is an ERROR of the sandbox, not a FAIL of the backup', async function () {
    requireBwrap.call(this);
    const driver = new LocalSandboxDriver({ baseDir: path.join(tmp.path, 'driver-sandboxes') });
    const sandbox = await driver.provision({ spec: sandboxSchema.parse({}), backupPaths: [archive], scenario: 'setup', runId: 'setup-1', logDir: path.join(tmp.path, 'driver-logs') });
    try {
      await assert.rejects(sandbox.exec('true', { timeoutMs: 10_000, cwd: '/no/such/folder' }), (err: Error & { code?: string }) => err.code === 'LOCAL_SANDBOX_FAILED' && /chdir/i.test(err.message));
    } finally {
      await sandbox.dispose();
    }
  });

  it('without bubblewrap, a scenario with restore steps is an ERROR naming the package and the opt-in', async () => {
    const file = await scenario('no-bwrap', `source: { kind: tar, path: ${archive} }
restore:
  - run: echo this must not run
`);
    const { code, result } = await run(file, [], { PATH: noBwrapPath });
    assert.equal(code, 3);
    assert.equal(result.verdict, 'ERROR');
    assert.equal(result.error?.code, 'LOCAL_SANDBOX_UNAVAILABLE');
    assert.match(result.error!.message, /apt-get install bubblewrap/);
    assert.match(result.error!.message, /--unsafe-local/);
    assert.doesNotMatch(await readFile(path.join(result.resultsDir, 'logs', 'exec.log'), 'utf8').catch(() => ''), /must not run/);
  });

  it('without bubblewrap, a scenario with no commands still runs (the harness only reads)', async () => {
    const file = await scenario('no-bwrap-read-only', `source: { kind: tar, path: ${archive} }\n`);
    const { code, result } = await run(file, [], { PATH: noBwrapPath });
    assert.equal(code, 0, JSON.stringify(result.error));
    assert.match(result.sandbox!.isolation.backupProtection, /no sandbox/);
  });

  it('--unsafe-local runs the commands without a sandbox, says so loudly, and a backup they change is an ERROR BACKUP_CHANGED', async () => {
    const victim = path.join(tmp.path, 'victim', 'share.tar.gz');
    await mkdir(path.dirname(victim), { recursive: true });
    await copyFile(archive, victim);
    const file = await scenario('unsafe-tamper', `source: { kind: tar, path: ${victim} }
restore:
  - run: echo tampered >> '${victim}'
`);
    const { code, stderr, result } = await run(file, ['--unsafe-local'], { PATH: noBwrapPath });
    assert.match(stderr, /WARNING.*--unsafe-local/);
    assert.equal(code, 3, JSON.stringify(result.error));
    assert.equal(result.verdict, 'ERROR');
    assert.equal(result.error?.code, 'BACKUP_CHANGED');
    assert.ok(result.error!.message.includes(victim), result.error!.message);
    assert.match(result.sandbox!.isolation.backupProtection, /commands could write it \(no sandbox\)/);
    assert.ok(result.sandbox!.isolation.notes.some((n) => /--unsafe-local/.test(n)), result.sandbox!.isolation.notes.join('\n'));
  });

  it('SIGHUP during a long restore step: the harness exits 129, the step is gone, the sandbox folder is removed', async () => {
    const base = path.join(tmp.path, 'hup-sandboxes');
    await mkdir(base, { recursive: true });
    const file = await scenario('hangup', `source: { kind: tar, path: ${archive} }
restore:
  - run: touch "$RESTORE_ROOT/.started"; sleep 31
    timeout: 60s
`);
    let sandboxRoot = '';
    const { code, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results], {
      env: { TMPDIR: base },
      onSpawn: (child) => {
        const poll = setInterval(async () => {
          for (const name of await readdir(base)) {
            if (!name.startsWith('restore-drill-hangup-')) continue;
            if (await access(path.join(base, name, 'restore', '.started')).then(() => true, () => false)) {
              clearInterval(poll);
              sandboxRoot = path.join(base, name);
              child.kill('SIGHUP');
            }
          }
        }, 100);
      },
    });
    assert.equal(code, 129, stderr);
    assert.ok(sandboxRoot, 'the step started');
    await assert.rejects(stat(sandboxRoot), 'the sandbox folder is gone');
    assert.deepEqual(await processesWith('sleep 31'), [], 'the step was killed');
  });
});

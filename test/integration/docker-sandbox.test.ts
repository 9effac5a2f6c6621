/**
 * The docker sandbox against the real engine: isolation, the read-only backup, exec, teardown.
 * Skipped (saying why) only when no engine answers.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import type { Sandbox } from '../../harness/sandboxes/sandbox.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { BASE_IMAGE, containersLabelled, docker, dockerUnavailable, networksLabelled, scratchDir } from '../helpers/docker.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

describe('docker sandbox (integration, real engine)', function () {
  const driver = new DockerSandboxDriver();
  let scratch: { path: string; remove(): Promise<void> };
  let backupDir: string;
  const sandboxes: Sandbox[] = [];
  let runCounter = 0;

  before(async function () {
    const why = await dockerUnavailable();
    if (why) skipBecause(this, why);
    scratch = await scratchDir();
    backupDir = path.join(scratch.path, 'backups');
    await mkdir(backupDir);
    await writeFile(path.join(backupDir, 'share-1.txt'), 'original backup content\n');
  });

  afterEach(async () => {
    while (sandboxes.length > 0) await sandboxes.pop()!.dispose();
  });

  after(async () => {
    await scratch?.remove();
  });

  async function provision(spec: Record<string, unknown> = {}): Promise<Sandbox> {
    const runId = `it-${process.pid}-${++runCounter}`;
    const sandbox = await driver.provision({
      spec: sandboxSchema.parse({ image: BASE_IMAGE, ...spec }),
      backupPaths: [backupDir],
      scenario: 'docker-sandbox-it',
      runId,
      logDir: path.join(scratch.path, 'logs', runId),
    });
    sandboxes.push(sandbox);
    return sandbox;
  }

  it('drops every capability, forbids new privileges and applies the limits', async () => {
    const sandbox = await provision({ memory: '256m', pids: 64 });
    const status = await sandbox.exec('grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status', { timeoutMs: 10_000 });
    assert.equal(status.exitCode, 0, status.stderr);
    assert.match(status.stdout, /CapEff:\s+0000000000000000/);
    assert.match(status.stdout, /CapBnd:\s+0000000000000000/);
    assert.match(status.stdout, /NoNewPrivs:\s+1/);
    const inspected = JSON.parse((await docker(['inspect', sandbox.description.containerId!])).stdout)[0];
    assert.equal(inspected.HostConfig.Memory, 256 * 1024 ** 2);
    assert.equal(inspected.HostConfig.PidsLimit, 64);
    assert.equal(inspected.HostConfig.NetworkMode, 'none');
    assert.equal(inspected.Config.Labels['restore-drill.scenario'], 'docker-sandbox-it');
    assert.equal(inspected.Config.Labels['restore-drill.pid'], String(process.pid));
    assert.match(sandbox.description.imageId!, /^sha256:[0-9a-f]{64}$/);
  });

  it('adds back only the capabilities the image declares', async function () {
    const why = await dockerUnavailable(['restore-drill/postgres:latest']);
    if (why) skipBecause(this, why);
    const sandbox = await provision({ image: 'restore-drill/postgres:latest' });
    const inspected = JSON.parse((await docker(['inspect', sandbox.description.containerId!])).stdout)[0];
    assert.deepEqual([...inspected.HostConfig.CapAdd].sort(), ['CHOWN', 'SETGID', 'SETUID']);
    assert.deepEqual(inspected.HostConfig.CapDrop, ['ALL']);
  });

  describe('network', () => {
    let server: net.Server;
    let port: number;
    let gateway: string;
    const sockets = new Set<net.Socket>();

    before(async () => {
      // A listener on every address of the host: a container on the default bridge reaches it.
      server = net.createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.end('hello from the host\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      port = (server.address() as net.AddressInfo).port;
      const bridge = JSON.parse((await docker(['network', 'inspect', 'bridge'])).stdout)[0];
      const config = bridge.IPAM.Config[0];
      gateway = config.Gateway ?? config.Subnet.replace(/\.0\/\d+$/, '.1');
    });

    after(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const probe = (host: string) => `curl -sS --http0.9 --max-time 2 http://${host}:${port}/ ; echo "curl exit $?"`;

    it('a container that has a network reaches the host listener (the probe can succeed)', async () => {
      const control = await docker(['run', '--rm', '--network', 'bridge', '--label', 'restore-drill.test=control', BASE_IMAGE, 'sh', '-c', probe(gateway)]);
      assert.match(control.stdout, /hello from the host/);
    });

    it('the sandbox reaches neither the host nor its loopback listener', async () => {
      const sandbox = await provision();
      const viaGateway = await sandbox.exec(probe(gateway), { timeoutMs: 20_000 });
      assert.doesNotMatch(viaGateway.stdout, /hello from the host/);
      assert.match(viaGateway.stdout, /curl exit [1-9]/);
      const viaLoopback = await sandbox.exec(probe('127.0.0.1'), { timeoutMs: 20_000 });
      assert.doesNotMatch(viaLoopback.stdout, /hello from the host/);
      const interfaces = await sandbox.exec("awk -F: 'NR>2 {gsub(/ /, \"\", $1); print $1}' /proc/net/dev", { timeoutMs: 10_000 });
      assert.equal(interfaces.stdout.trim(), 'lo');
      assert.equal(sandbox.isolation.networkIsolated, true);
    });

    it('a named network is internal, labelled, unreachable from outside, and removed with the sandbox', async () => {
      const sandbox = await provision({ network: 'lab' });
      const networkName = sandbox.description.network!;
      const inspected = JSON.parse((await docker(['network', 'inspect', networkName])).stdout)[0];
      assert.equal(inspected.Internal, true);
      assert.equal(inspected.Labels['restore-drill.scenario'], 'docker-sandbox-it');
      const viaGateway = await sandbox.exec(probe(gateway), { timeoutMs: 20_000 });
      assert.doesNotMatch(viaGateway.stdout, /hello from the host/);
      const ownGateway = inspected.IPAM.Config[0]?.Gateway;
      if (ownGateway) {
        const viaOwnGateway = await sandbox.exec(probe(ownGateway), { timeoutMs: 20_000 });
        assert.doesNotMatch(viaOwnGateway.stdout, /hello from the host/);
      }
      await sandbox.dispose();
      assert.equal((await docker(['network', 'inspect', networkName])).code !== 0, true, 'the network should be gone');
    });
  });

  it('mounts the backup read-only: a write fails and the backup is unchanged', async () => {
    const sandbox = await provision();
    const inside = sandbox.backupPath(path.join(backupDir, 'share-1.txt'));
    assert.equal(inside, '/backup/0/share-1.txt');
    const read = await sandbox.exec(`cat ${inside}`, { timeoutMs: 10_000 });
    assert.equal(read.stdout, 'original backup content\n');
    const write = await sandbox.exec(`echo tampered > ${inside}`, { timeoutMs: 10_000 });
    assert.notEqual(write.exitCode, 0);
    assert.match(write.stderr, /Read-only file system/);
    const remove = await sandbox.exec(`rm -f ${inside}; touch /backup/0/new-file`, { timeoutMs: 10_000 });
    assert.notEqual(remove.exitCode, 0);
    assert.equal(await readFile(path.join(backupDir, 'share-1.txt'), 'utf8'), 'original backup content\n');
    await assert.rejects(access(path.join(backupDir, 'new-file')));
  });

  it('shares the restore folder with the host, both ways', async () => {
    const sandbox = await provision();
    await writeFile(path.join(sandbox.hostRestoreDir, 'from-host.txt'), 'restored by the harness\n');
    const result = await sandbox.exec('cat from-host.txt && echo made-inside > from-container.txt && pwd', { timeoutMs: 10_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'restored by the harness\n/restore\n');
    assert.equal(await readFile(path.join(sandbox.hostRestoreDir, 'from-container.txt'), 'utf8'), 'made-inside\n');
  });

  it('stops a command that overruns its timeout, and reports it', async () => {
    const sandbox = await provision();
    const result = await sandbox.exec('echo started; sleep 60', { timeoutMs: 1000 });
    assert.equal(result.timedOut, true);
    assert.equal(result.stdout, 'started\n');
    const left = await sandbox.exec('for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done | grep -c "^sleep 60" || true', { timeoutMs: 10_000 });
    assert.equal(left.stdout.trim(), '0', 'the overrunning sleep should have been stopped');
  });

  it('gives the exit code, separates stdout from stderr, and keeps secrets out of the log', async () => {
    const sandbox = await provision();
    const secret = 'hunter2-very-secret';
    const result = await sandbox.exec('echo "token=$API_TOKEN"; echo oops >&2; exit 7', { timeoutMs: 10_000, env: { API_TOKEN: secret } });
    assert.equal(result.exitCode, 7);
    assert.equal(result.stdout, `token=${secret}\n`);
    assert.equal(result.stderr, 'oops\n');
    const logDir = path.join(scratch.path, 'logs', `it-${process.pid}-${runCounter}`);
    const log = await readFile(path.join(logDir, 'exec.log'), 'utf8');
    assert.match(log, /token=\[secret:API_TOKEN\]/);
    assert.doesNotMatch(log, new RegExp(secret));
    const inspected = (await docker(['inspect', sandbox.description.containerId!])).stdout;
    assert.doesNotMatch(inspected, new RegExp(secret));
  });

  it('removes the container, its network and its restore folder on dispose, and dispose twice is harmless', async () => {
    const sandbox = await provision({ network: 'twice' });
    const runLabel = `restore-drill.run=${JSON.parse((await docker(['inspect', sandbox.description.containerId!])).stdout)[0].Config.Labels['restore-drill.run']}`;
    assert.equal((await containersLabelled(runLabel)).length, 1);
    assert.equal((await networksLabelled(runLabel)).length, 1);
    await sandbox.dispose();
    await sandbox.dispose();
    assert.deepEqual(await containersLabelled(runLabel), []);
    assert.deepEqual(await networksLabelled(runLabel), []);
    await assert.rejects(access(sandbox.hostRestoreDir));
  });

  it('removes what the container made through a helper container when this user cannot', async () => {
    let refused = 0;
    const strict = new DockerSandboxDriver({
      // As for a harness that is not root: the first removal fails on the container's files.
      removeFolder: async (dir) => {
        if (refused++ === 0) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        const { rm } = await import('node:fs/promises');
        await rm(dir, { recursive: true });
      },
    });
    const sandbox = await strict.provision({
      spec: sandboxSchema.parse({ image: BASE_IMAGE }),
      backupPaths: [backupDir],
      scenario: 'docker-sandbox-it',
      runId: `it-${process.pid}-helper`,
      logDir: path.join(scratch.path, 'logs', 'helper'),
    });
    const made = await sandbox.exec('mkdir -p pgdata/base && echo x > pgdata/base/1 && chown -R 65534:65534 pgdata 2>/dev/null; chmod 700 pgdata', { timeoutMs: 10_000 });
    assert.equal(made.exitCode, 0, made.stderr);
    await sandbox.dispose();
    assert.equal(refused, 2);
    await assert.rejects(access(sandbox.hostRestoreDir));
    assert.deepEqual(await containersLabelled('restore-drill.run=cleanup'), []);
  });

  it('names a missing image and how to build it', async () => {
    await assert.rejects(
      driver.provision({
        spec: sandboxSchema.parse({ image: 'restore-drill/no-such-image:latest' }),
        backupPaths: [backupDir],
        scenario: 'docker-sandbox-it',
        runId: `it-${process.pid}-missing`,
        logDir: path.join(scratch.path, 'logs', 'missing'),
      }),
      (err: Error & { code?: string }) => err.code === 'DOCKER_IMAGE_MISSING' && /restore-drill images build no-such-image/.test(err.message),
    );
    assert.deepEqual(await containersLabelled(`restore-drill.run=it-${process.pid}-missing`), []);
  });
});

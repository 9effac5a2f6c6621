/** The docker driver's own logic against a fake runtime: labels, leftovers, undo on failure, image labels. */
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { imageCapabilities } from '../../harness/sandboxes/docker-image.ts';
import { LABEL, labelsFor, ownerFromLabels } from '../../harness/sandboxes/docker-labels.ts';
import { leftoverReason, type LeftoverJudge } from '../../harness/sandboxes/leftovers.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { FakeRuntime } from '../helpers/fake-runtime.ts';

const HOST = os.hostname();
const NOW = Date.parse('2026-11-25T12:00:00Z');
const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max: never a running process

function owner(pid: number, minutesAgo: number, host = HOST) {
  return labelsFor({ runId: `run-${pid}-${minutesAgo}`, scenario: 'billing', created: new Date(NOW - minutesAgo * 60_000), pid, host });
}

describe('docker driver: labels and leftovers (unit, fake runtime)', () => {
  const judge: LeftoverJudge = { now: NOW, host: HOST, graceMs: 60_000, alive: (pid) => pid === process.pid };
  const thing = (labels: Record<string, string>) => ownerFromLabels(labels);

  it('labels carry the run, scenario, creation time, pid and host', () => {
    const labels = owner(42, 0);
    assert.equal(labels[LABEL.run], 'run-42-0');
    assert.equal(labels[LABEL.scenario], 'billing');
    assert.equal(labels[LABEL.created], '2026-11-25T12:00:00.000Z');
    assert.equal(labels[LABEL.pid], '42');
    assert.equal(labels[LABEL.host], HOST);
  });

  it('a thing whose process on this host is gone, older than the grace period, is a leftover', () => {
    assert.match(leftoverReason(thing(owner(DEAD_PID, 5)), judge) ?? '', new RegExp(`process ${DEAD_PID} that made it is gone`));
  });

  it('leaves alone what a live process owns, what is younger than the grace period, and what another host made', () => {
    assert.equal(leftoverReason(thing(owner(process.pid, 5)), judge), undefined);
    assert.equal(leftoverReason(thing(owner(DEAD_PID, 0.5)), judge), undefined);
    assert.equal(leftoverReason(thing(owner(DEAD_PID, 500, 'another-host')), judge), undefined);
    assert.equal(leftoverReason(thing({ [LABEL.run]: 'x' }), judge), undefined);
  });

  it('removeLeftovers removes dead runs\' containers before their networks, and says so', async () => {
    const fake = new FakeRuntime();
    const baseDir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-'));
    try {
      fake.add('network', 'dead-net', owner(DEAD_PID, 5));
      fake.add('container', 'dead-box', owner(DEAD_PID, 5));
      fake.add('container', 'live-box', owner(process.pid, 5));
      fake.add('container', 'young-box', owner(DEAD_PID, 0));
      const driver = new DockerSandboxDriver({ client: fake, baseDir, leftoverGraceMs: 60_000, now: () => new Date(NOW) });
      const lines = await driver.removeLeftovers();
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /removed the container dead-box/);
      assert.match(lines[1]!, /removed the network dead-net/);
      assert.deepEqual([...fake.things.values()].map((t) => t.name).sort(), ['live-box', 'young-box']);
    } finally {
      await rm(baseDir, { recursive: true, force: true });
    }
  });

  it('removeLeftovers with no engine returns nothing instead of failing the run', async () => {
    const fake = new FakeRuntime();
    fake.reachable = false;
    const baseDir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-'));
    try {
      assert.deepEqual(await new DockerSandboxDriver({ client: fake, baseDir }).removeLeftovers(), []);
    } finally {
      await rm(baseDir, { recursive: true, force: true });
    }
  });
});

describe('docker driver: provisioning (unit, fake runtime)', () => {
  let baseDir: string;
  const request = (spec: Record<string, unknown>) => ({
    spec: sandboxSchema.parse(spec),
    backupPaths: ['/srv/backups/billing'],
    scenario: 'billing',
    runId: 'run-1',
    logDir: path.join(baseDir, 'logs'),
  });

  beforeEach(async () => {
    baseDir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-'));
  });
  afterEach(async () => {
    await rm(baseDir, { recursive: true, force: true });
  });

  function fakeWithImage(labels: Record<string, string> = {}): FakeRuntime {
    const fake = new FakeRuntime();
    fake.images.set('restore-drill/base:latest', { id: 'sha256:' + 'a'.repeat(64), repoDigests: [], labels: { 'io.restore-drill.image': 'base', ...labels } });
    return fake;
  }

  it('asks the engine for an isolated, limited, labelled container with the backup read-only', async () => {
    const fake = fakeWithImage({ 'io.restore-drill.capabilities': 'CHOWN,cap_setuid' });
    const driver = new DockerSandboxDriver({ client: fake, baseDir });
    const sandbox = await driver.provision(request({ memory: '512m', cpus: 1.5, pids: 100 }));
    const spec = fake.lastContainer!;
    assert.equal(spec.networkMode, 'none');
    assert.deepEqual(spec.capDrop, ['ALL'], 'every capability dropped before the declared ones are added back');
    assert.deepEqual(spec.capAdd, ['CHOWN', 'SETUID']);
    assert.equal(spec.noNewPrivileges, true);
    assert.equal(spec.init, true);
    assert.equal(spec.memoryBytes, 512 * 1024 ** 2);
    assert.equal(spec.memorySwapBytes, spec.memoryBytes, 'no swap beyond the memory limit');
    assert.equal(spec.nanoCpus, 1.5e9);
    assert.equal(spec.pidsLimit, 100);
    assert.deepEqual(spec.mounts[0], { source: '/srv/backups/billing', target: '/backup/0', readOnly: true });
    assert.equal(spec.mounts[1]!.target, '/restore');
    assert.equal(spec.labels[LABEL.run], 'run-1');
    assert.equal(sandbox.description.capabilities, 'all dropped, added back: CHOWN, SETUID', 'the report says what the engine was asked for');
    assert.equal(sandbox.description.privileges, 'no new privileges');
    assert.equal(sandbox.description.limits, 'memory 512.0 MiB (no swap), 1.5 CPU, 100 processes');
    assert.equal(sandbox.backupPath('/srv/backups/billing/2026/a.tar'), '/backup/0/2026/a.tar');
    assert.throws(() => sandbox.backupPath('/etc/passwd'), /not among the backup folders/);
    await sandbox.dispose();
    assert.equal(fake.things.size, 0);
  });

  it('a scenario network is internal, with no address on the host\'s side of its bridge', async () => {
    const fake = fakeWithImage();
    const sandbox = await new DockerSandboxDriver({ client: fake, baseDir }).provision(request({ network: 'lab' }));
    assert.deepEqual(fake.lastNetwork, { name: 'restore-drill-run-1-lab', labels: fake.lastContainer!.labels, internal: true, hostReachable: false, attachable: false });
    assert.equal(fake.lastContainer!.networkMode, 'restore-drill-run-1-lab');
    await sandbox.dispose();
  });

  it('a plan network is internal and labelled; a sandbox joins it by its alias and leaves it to the plan', async () => {
    const fake = fakeWithImage();
    const driver = new DockerSandboxDriver({ client: fake, baseDir });
    const network = await driver.planNetwork('run-9', 'ward');
    assert.equal(network.name, 'restore-drill-plan-ward-run-9');
    assert.deepEqual({ ...fake.lastNetwork, labels: undefined }, { name: network.name, labels: undefined, internal: true, hostReachable: false, attachable: false });
    assert.equal(fake.lastNetwork!.labels[LABEL.run], 'run-9', 'labelled like every thing of a run: a killed run\'s is a leftover');
    assert.equal(fake.lastNetwork!.labels[LABEL.pid], String(process.pid));
    const sandbox = await driver.provision({ ...request({ network: 'lab' }), join: { network: network.name, alias: 'ehr-db' } });
    assert.equal(fake.calls.filter((c) => c === 'createNetwork').length, 1, 'no network of its own');
    assert.equal(fake.lastContainer!.networkMode, network.name);
    assert.deepEqual(fake.lastContainer!.aliases, ['ehr-db']);
    assert.equal(sandbox.isolation.network, network.name);
    assert.ok(sandbox.isolation.notes.some((n) => n.includes(`internal network ${network.name}, made for this plan run (no route out of the engine), reachable there as ehr-db`)));
    await sandbox.dispose();
    assert.ok(!fake.calls.includes('removeNetwork'), 'the plan removes its network, not the sandbox');
    await network.remove();
    assert.equal(fake.things.size, 0);
  });

  it('undoes what it made when a later step fails: network and host folder', async () => {
    const fake = fakeWithImage();
    fake.failOn = 'runContainer';
    const driver = new DockerSandboxDriver({ client: fake, baseDir });
    await assert.rejects(driver.provision(request({ network: 'lab' })), /refused to runContainer/);
    assert.equal(fake.things.size, 0, 'the network made for the drill is removed');
    assert.deepEqual((await readdir(baseDir)).filter((f) => f.startsWith('restore-drill-docker-')), []);
  });

  it('an abort during provisioning removes what was made', async () => {
    const fake = fakeWithImage();
    const controller = new AbortController();
    const original = fake.runContainer.bind(fake);
    fake.runContainer = async (spec) => {
      const id = await original(spec);
      controller.abort(new Error('interrupted by SIGINT'));
      return id;
    };
    const driver = new DockerSandboxDriver({ client: fake, baseDir });
    await assert.rejects(driver.provision({ ...request({}), signal: controller.signal }), /interrupted by SIGINT/);
    assert.equal(fake.things.size, 0);
  });

  it('is available to --sandbox auto only when the engine answers and the default image is built', async () => {
    const bare = new FakeRuntime();
    const missing = await new DockerSandboxDriver({ client: bare, baseDir }).available();
    assert.equal(missing.ok, false);
    assert.match(missing.reason!, /restore-drill\/base:latest is not built yet \(run "restore-drill images build"\)/);
    assert.equal((await new DockerSandboxDriver({ client: fakeWithImage(), baseDir }).available()).ok, true);
    bare.reachable = false;
    assert.match((await new DockerSandboxDriver({ client: bare, baseDir }).available()).reason!, /No Docker engine answers/);
  });

  it('a missing image names the command that builds it', async () => {
    const driver = new DockerSandboxDriver({ client: new FakeRuntime(), baseDir });
    await assert.rejects(driver.provision(request({ image: 'restore-drill/postgres:latest' })), (err: Error & { code?: string }) => {
      return err.code === 'DOCKER_IMAGE_MISSING' && err.message.includes('restore-drill images build postgres');
    });
  });

  it('files the container made that this user may not remove are removed from a helper container', async () => {
    const fake = fakeWithImage();
    let attempts = 0;
    const removeFolder = async (dir: string) => {
      if (++attempts === 1) throw Object.assign(new Error(`EACCES: permission denied, rmdir '${dir}/restore/pgdata'`), { code: 'EACCES' });
      await rm(dir, { recursive: true, force: true });
    };
    const driver = new DockerSandboxDriver({ client: fake, baseDir, removeFolder });
    const sandbox = await driver.provision(request({}));
    await sandbox.dispose();
    const helper = fake.lastContainer!;
    assert.match(helper.name, /^restore-drill-cleanup-/);
    assert.deepEqual(helper.capDrop, ['ALL']);
    assert.deepEqual(helper.capAdd, ['DAC_OVERRIDE', 'FOWNER']);
    assert.equal(helper.noNewPrivileges, true);
    assert.equal(helper.networkMode, 'none');
    assert.equal(attempts, 2);
    assert.equal(fake.things.size, 0, 'the helper container is removed too');
    await assert.rejects(access(sandbox.hostRestoreDir));
  });

  it('a failed teardown is reported, and the folder is still removed', async () => {
    const fake = fakeWithImage();
    const driver = new DockerSandboxDriver({ client: fake, baseDir });
    const sandbox = await driver.provision(request({}));
    fake.reachable = false;
    await assert.rejects(sandbox.dispose(), (err: Error & { code?: string }) => err.code === 'DOCKER_TEARDOWN_FAILED' && /next run removes/.test(err.message));
    await assert.rejects(access(sandbox.hostRestoreDir));
  });
});

describe('docker driver: image labels (unit)', () => {
  it('takes the declared capabilities, with or without CAP_, once each', () => {
    assert.deepEqual(imageCapabilities('x', { 'io.restore-drill.capabilities': 'CHOWN, CAP_SETUID,chown' }), ['CHOWN', 'SETUID']);
    assert.deepEqual(imageCapabilities('x', { 'io.restore-drill.capabilities': '' }), []);
    assert.deepEqual(imageCapabilities('x', {}), []);
  });

  it('refuses capabilities that would undo the isolation', () => {
    for (const cap of ['SYS_ADMIN', 'ALL', 'NET_ADMIN', 'CAP_SYS_MODULE']) {
      assert.throws(() => imageCapabilities('evil:1', { 'io.restore-drill.capabilities': `CHOWN,${cap}` }), /never grants it/);
    }
    assert.throws(() => imageCapabilities('odd:1', { 'io.restore-drill.capabilities': 'chown;rm -rf' }), /not a capability name/);
  });
});

describe('docker driver: engine log frames (unit)', () => {
  it('joins the stdout and stderr frames of a log without a TTY, and passes plain text through', async () => {
    const { demuxBuffer } = await import('../../harness/sandboxes/docker-dockerode.ts');
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    assert.equal(demuxBuffer(Buffer.concat([frame(1, 'ready\n'), frame(2, '警告: slow\n')])), 'ready\n警告: slow\n');
    assert.equal(demuxBuffer(Buffer.from('plain text\n')), 'plain text\n');
  });
});

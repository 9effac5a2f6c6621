/** The one leftover rule every sandbox driver uses: owner, host, grace period, process alive. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import { leftoverJudge, leftoverReason, ownerRecord, type LeftoverJudge } from '../../harness/sandboxes/leftovers.ts';
import { FakeRuntime } from '../helpers/fake-runtime.ts';

const HOST = os.hostname();
const NOW = Date.parse('2026-11-25T12:00:00Z');
const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max: never a running process

const owner = (pid: number, minutesAgo: number, host = HOST, now = NOW) => ({ pid, created: now - minutesAgo * 60_000, host, run: 'run-a', scenario: 'billing' });

describe('leftover rule (unit)', () => {
  const judge: LeftoverJudge = { now: NOW, host: HOST, graceMs: 60_000, alive: (pid) => pid === process.pid };

  it('a leftover is what this host made, by a process that is gone, longer ago than the grace period', () => {
    assert.match(leftoverReason(owner(DEAD_PID, 5), judge) ?? '', new RegExp(`process ${DEAD_PID} that made it is gone \\(made 5 min ago, scenario billing, run run-a\\)`));
  });

  it('leaves alone what a live process owns, what is young, what another host made, and what says nothing of its host or time', () => {
    assert.equal(leftoverReason(owner(process.pid, 5), judge), undefined);
    assert.equal(leftoverReason(owner(DEAD_PID, 0.5), judge), undefined);
    assert.equal(leftoverReason(owner(DEAD_PID, 500, 'another-host'), judge), undefined);
    assert.equal(leftoverReason({ ...owner(DEAD_PID, 500), host: undefined }, judge), undefined);
    assert.equal(leftoverReason({ ...owner(DEAD_PID, 500), pid: 0 }, judge), undefined);
    assert.equal(leftoverReason({ ...owner(DEAD_PID, 500), created: Number.NaN }, judge), undefined);
    assert.equal(leftoverReason(undefined, judge), undefined);
  });

  it('the grace period comes from the option, else RESTORE_DRILL_LEFTOVER_GRACE, else 60 s', () => {
    assert.equal(leftoverJudge({ graceMs: 5 }, {}).graceMs, 5);
    assert.equal(leftoverJudge({}, { RESTORE_DRILL_LEFTOVER_GRACE: '10m' }).graceMs, 600_000);
    assert.equal(leftoverJudge({}, {}).graceMs, 60_000);
    assert.equal(leftoverJudge({}, {}).host, HOST);
  });
});

describe('leftover rule in each driver (unit, real folders)', () => {
  let baseDir: string;
  beforeEach(async () => {
    baseDir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-leftovers-'));
  });
  afterEach(() => rm(baseDir, { recursive: true, force: true }));

  async function leftover(name: string, file: string, record: object): Promise<void> {
    await mkdir(path.join(baseDir, name, 'restore'), { recursive: true });
    await writeFile(path.join(baseDir, name, file), JSON.stringify(record));
  }

  it('the docker driver removes only this host\'s dead host folders', async () => {
    await leftover('restore-drill-docker-billing-dead', 'docker-owner.json', owner(DEAD_PID, 5));
    await leftover('restore-drill-docker-billing-other', 'docker-owner.json', owner(DEAD_PID, 5, 'another-host'));
    const lines = await new DockerSandboxDriver({ client: new FakeRuntime(), baseDir, leftoverGraceMs: 60_000, now: () => new Date(NOW) }).removeLeftovers();
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /removed the restore folder .*billing-dead left behind by a run that ended without cleaning up: the process \d+ that made it is gone/);
    assert.deepEqual(await readdir(baseDir), ['restore-drill-docker-billing-other']);
  });

  it('the local driver removes only this host\'s dead sandboxes past the grace period it is given', async () => {
    // The local driver judges on the real time.
    await leftover('restore-drill-billing-dead', 'owner.json', owner(DEAD_PID, 5, HOST, Date.now()));
    await leftover('restore-drill-billing-other', 'owner.json', owner(DEAD_PID, 5, 'another-host', Date.now()));
    await leftover('restore-drill-billing-young', 'owner.json', owner(DEAD_PID, 1, HOST, Date.now()));
    const before = process.env.RESTORE_DRILL_LEFTOVER_GRACE;
    process.env.RESTORE_DRILL_LEFTOVER_GRACE = '2m';
    try {
      const lines = await new LocalSandboxDriver({ baseDir }).removeLeftovers();
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /removed the local sandbox .*billing-dead left by a run that ended without cleaning up/);
    } finally {
      if (before === undefined) delete process.env.RESTORE_DRILL_LEFTOVER_GRACE;
      else process.env.RESTORE_DRILL_LEFTOVER_GRACE = before;
    }
    assert.deepEqual((await readdir(baseDir)).sort(), ['restore-drill-billing-other', 'restore-drill-billing-young']);
  });

  it('an owner record names the process, the time, the host, the run and the scenario', () => {
    const record = ownerRecord('run-1', 'billing', new Date(NOW));
    assert.deepEqual(record, { pid: process.pid, created: NOW, host: HOST, run: 'run-1', scenario: 'billing' });
  });
});

/** The plan's network: who joins it, by which name, and when a reached system's sandbox is removed. */
import assert from 'node:assert/strict';
import type { Plan, PlanSystem } from '../../harness/plan/load.ts';
import { PlanNetwork } from '../../harness/plan/network.ts';
import type { SystemState } from '../../harness/plan/order.ts';
import type { ProvisionRequest, Sandbox, SandboxDriver } from '../../harness/sandboxes/sandbox.ts';

function world() {
  const requests: ProvisionRequest[] = [];
  const disposed: string[] = [];
  const log: string[] = [];
  const driver: SandboxDriver = {
    name: 'docker',
    available: async () => ({ ok: true }),
    removeLeftovers: async () => [],
    provision: async (request) => {
      requests.push(request);
      return { description: { container: request.scenario }, isolation: { networkIsolated: true, network: request.join?.network ?? 'none', backupProtection: '', notes: [] }, dispose: async () => void disposed.push(request.scenario) } as unknown as Sandbox;
    },
    planNetwork: async (runId, plan) => ({ name: `net-${plan}-${runId}`, remove: async () => void log.push('network removed') }),
  };
  const system = (name: string, after: string[] = [], reach: string[] = []) => ({ name, after, reach }) as PlanSystem;
  const systems = [system('db'), system('app', ['db'], ['db']), system('report', ['db'], ['db']), system('pacs')];
  const plan = { systems, spec: { name: 'ward' }, displayPath: 'ward.yaml' } as unknown as Plan;
  return { requests, disposed, log, driver, systems, plan };
}

describe('plan network', () => {
  it('is made only when a system reaches another', async () => {
    const w = world();
    const plain = { ...w.plan, systems: w.systems.map((s) => ({ ...s, reach: [] })) } as Plan;
    assert.equal(await PlanNetwork.open(plain, w.driver, 'r1'), undefined);
  });

  it('joins the drills\' own sandboxes by system name, never scratch ones nor unconnected systems', async () => {
    const w = world();
    const network = (await PlanNetwork.open(w.plan, w.driver, 'r1'))!;
    const [db, app, , pacs] = w.systems;
    const base = { spec: {}, backupPaths: [], runId: 'r1', logDir: '/x' } as unknown as ProvisionRequest;
    const sandbox = await network.driverFor(app!, w.driver).provision({ ...base, scenario: 'app', main: true });
    await network.driverFor(db!, w.driver).provision({ ...base, scenario: 'db-scan', main: false });
    assert.equal(network.driverFor(pacs!, w.driver), w.driver);
    assert.deepEqual(w.requests.map((r) => r.join), [{ network: 'net-ward-r1', alias: 'app' }, undefined]);
    assert.deepEqual(sandbox.description, { container: 'app', planNetwork: 'net-ward-r1', reachableAs: 'app', reaches: 'db' });
  });

  it('keeps a reached sandbox up until every system that reaches it has finished, then the network goes', async () => {
    const w = world();
    const network = (await PlanNetwork.open(w.plan, w.driver, 'r1'))!;
    const base = { spec: {}, backupPaths: [], runId: 'r1', logDir: '/x', main: true } as unknown as ProvisionRequest;
    const db = await network.driverFor(w.systems[0]!, w.driver).provision({ ...base, scenario: 'db' });
    assert.equal(db.description.reachedBy, 'app, report');
    await db.dispose(); // the db drill's teardown
    assert.deepEqual(w.disposed, [], 'kept for its dependents');
    const states = (s: Record<string, SystemState>) => new Map(Object.entries({ db: 'ready', pacs: 'ready', ...s })) as Map<string, SystemState>;
    await network.release(states({ app: 'ready', report: 'running' }));
    assert.deepEqual(w.disposed, [], 'report still reaches it');
    await network.release(states({ app: 'ready', report: 'failed' }));
    assert.deepEqual(w.disposed, ['db']);
    assert.deepEqual(await network.close(), []);
    assert.deepEqual(w.disposed, ['db'], 'removed once');
    assert.deepEqual(w.log, ['network removed']);
  });

  it('is refused where sandboxes cannot share a network', async () => {
    const w = world();
    const local = { ...w.driver, name: 'local' as const, planNetwork: undefined };
    await assert.rejects(PlanNetwork.open(w.plan, local, 'r1'), /app reaches db; report reaches db \(reach: in ward\.yaml\): systems that talk need the docker sandbox/);
  });
});

/**
 * Dependent systems that talk: when a system of a plan reaches another (reach: [ehr-db]), both drills'
 * own sandboxes join one internal network made for the plan run, each reachable there by its system
 * name, and the reached system's sandbox is kept up after its drill until every system that reaches it
 * has finished (then removed). Scratch sandboxes (scans, baselines, negative controls) never join.
 * The drill results record it: the sandbox's description names the network and the systems connected.
 */
import { UsageError } from '../errors.ts';
import type { PlanNetworkHandle, Sandbox, SandboxDriver } from '../sandboxes/sandbox.ts';
import type { Plan, PlanSystem } from './load.ts';
import type { SystemState } from './order.ts';

export class PlanNetwork {
  private readonly held = new Map<string, Sandbox>();
  private readonly released = new Set<string>();
  private readonly plan: Plan;
  private readonly handle: PlanNetworkHandle;

  private constructor(plan: Plan, handle: PlanNetworkHandle) {
    this.plan = plan;
    this.handle = handle;
  }

  /** The plan's network, made only when a system reaches another; refused where the sandboxes cannot share one. */
  static async open(plan: Plan, driver: SandboxDriver, runId: string): Promise<PlanNetwork | undefined> {
    const reaching = plan.systems.filter((s) => s.reach.length > 0);
    if (reaching.length === 0) return undefined;
    if (!driver.planNetwork) {
      throw new UsageError(`${reaching.map((s) => `${s.name} reaches ${s.reach.join(', ')}`).join('; ')} (reach: in ${plan.displayPath}): systems that talk need the docker sandbox (--sandbox docker), which puts them on an internal network of their own; the ${driver.name} sandbox cannot`);
    }
    return new PlanNetwork(plan, await driver.planNetwork(runId, plan.spec.name));
  }

  get name(): string {
    return this.handle.name;
  }

  /** The systems that reach this one. */
  servedTo(system: PlanSystem): string[] {
    return this.plan.systems.filter((s) => s.reach.includes(system.name)).map((s) => s.name);
  }

  /** The driver a system's drill uses: its own sandbox joins the network, and a reached one is held. */
  driverFor(system: PlanSystem, base: SandboxDriver): SandboxDriver {
    const servedTo = this.servedTo(system);
    if (system.reach.length === 0 && servedTo.length === 0) return base;
    const join = { network: this.handle.name, alias: system.name };
    const connected = { planNetwork: this.handle.name, reachableAs: system.name, ...(system.reach.length ? { reaches: system.reach.join(', ') } : {}), ...(servedTo.length ? { reachedBy: servedTo.join(', ') } : {}) };
    const kept = servedTo.length > 0 ? `kept running after its drill for ${servedTo.join(', ')}, which reach it; removed by the plan run once they finished` : undefined;
    return {
      name: base.name,
      available: () => base.available(),
      removeLeftovers: () => base.removeLeftovers(),
      provision: async (request) => {
        if (!request.main) return base.provision(request);
        const sandbox = await base.provision({ ...request, join });
        const shown = connectedView(sandbox, connected, kept);
        if (!kept) return shown;
        this.held.set(system.name, sandbox);
        return Object.assign(shown, { dispose: async () => undefined, [Symbol.asyncDispose]: async () => undefined });
      },
    };
  }

  /** Removes each held sandbox once every system that reaches it has finished (ready, failed or stopped). */
  async release(states: ReadonlyMap<string, SystemState>): Promise<void> {
    for (const [name, sandbox] of this.held) {
      const waiting = this.servedTo(this.plan.systems.find((s) => s.name === name)!).some((s) => states.get(s) === 'waiting' || states.get(s) === 'running');
      if (waiting || this.released.has(name)) continue;
      this.released.add(name);
      this.held.delete(name);
      await sandbox.dispose();
    }
  }

  /** Removes what is still held, then the network; returns what could not be removed. */
  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const [name, sandbox] of this.held) await sandbox.dispose().catch((err: unknown) => problems.push(`the sandbox of ${name}: ${String(err)}`));
    this.held.clear();
    await this.handle.remove().catch((err: unknown) => problems.push(`the plan network ${this.handle.name}: ${String(err)}`));
    return problems;
  }
}

/** The sandbox as the drill sees it: the same, with the network and the connected systems in its description. */
function connectedView(sandbox: Sandbox, connected: Record<string, string>, kept: string | undefined): Sandbox {
  const view = Object.create(sandbox) as Sandbox & { description: Record<string, string>; isolation: Sandbox['isolation'] };
  Object.defineProperty(view, 'description', { value: { ...sandbox.description, ...connected } });
  Object.defineProperty(view, 'isolation', { value: { ...sandbox.isolation, notes: [...sandbox.isolation.notes, ...(kept ? [`the sandbox was ${kept}`] : [])] } });
  return view;
}

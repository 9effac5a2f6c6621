/**
 * The internal network of a recovery plan run: made like a drill's own (docker-policy.ts drillNetwork:
 * internal, no address on the host's side), labelled like every other thing of a run so that a killed
 * run's network is removed by the one leftover rule (leftovers.ts), and removed when the plan ends.
 */
import { drillNetwork } from './docker-policy.ts';
import { currentOwner, labelsFor } from './docker-labels.ts';
import type { ContainerRuntimeClient } from './docker-runtime.ts';
import type { PlanNetworkHandle } from './sandbox.ts';

export async function createPlanNetwork(client: ContainerRuntimeClient, runId: string, plan: string, now: Date): Promise<PlanNetworkHandle> {
  const name = `restore-drill-plan-${plan}-${runId}`.toLowerCase();
  const id = await client.createNetwork(drillNetwork(name, labelsFor(currentOwner(runId, `plan.${plan}`, now))));
  return { name, remove: () => client.removeNetwork(id) };
}

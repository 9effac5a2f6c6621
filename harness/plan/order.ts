/** The order a plan's systems are drilled in: dependencies first, then by group, then as written. */

export interface Ordered {
  name: string;
  after: readonly string[];
}

/** A cycle among the systems' after lists, as the names along it (first repeated last), or undefined. */
export function findCycle(systems: readonly Ordered[]): string[] | undefined {
  const byName = new Map(systems.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of byName.get(name)?.after ?? []) {
      const cycle = byName.has(dep) ? visit(dep) : undefined;
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const system of systems) {
    const cycle = visit(system.name);
    if (cycle) return cycle;
  }
  return undefined;
}

export type SystemState = 'waiting' | 'running' | 'ready' | 'failed';

/**
 * What to do next with the waiting systems, in plan order (groups, then as written): start those whose
 * dependencies are all ready; stop those of which a dependency failed, naming it.
 */
export function nextSteps(systems: readonly Ordered[], states: ReadonlyMap<string, SystemState>): { start: string[]; stop: { name: string; waitedFor: string }[] } {
  const start: string[] = [];
  const stop: { name: string; waitedFor: string }[] = [];
  for (const system of systems) {
    if (states.get(system.name) !== 'waiting') continue;
    const failed = system.after.find((dep) => states.get(dep) === 'failed');
    if (failed) stop.push({ name: system.name, waitedFor: failed });
    else if (system.after.every((dep) => states.get(dep) === 'ready')) start.push(system.name);
  }
  return { start, stop };
}

/**
 * The bundled demo plans (scenarios/plans/) and what each is built to give: hospital PASSes;
 * hospital-broken FAILs (its share has a flipped byte) and billing, which waits for the share, is not drilled.
 */
import type { Verdict } from '../drill/result.ts';
import type { PlanResult } from '../plan/result.ts';

export interface DemoPlanExpectation {
  verdict: Verdict;
  /** Systems that must not be drilled, each with the system it waited for. */
  notDrilled: Record<string, string>;
}

export const DEMO_PLANS: Record<string, DemoPlanExpectation> = {
  hospital: { verdict: 'PASS', notDrilled: {} },
  'hospital-broken': { verdict: 'FAIL', notDrilled: { billing: 'share' } },
};

/** The demo plans' scenarios that must be drillable (their engine demos ready) for the plans to run. */
export const DEMO_PLAN_SYSTEMS = ['billing', 'pacs'];

/** One line per way a demo plan's result differs from what it was built to give. */
export function planSurprises(results: PlanResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    const expected = DEMO_PLANS[result.plan.name];
    if (!expected) continue;
    const name = `plan ${result.plan.name}`;
    if (result.verdict !== expected.verdict) lines.push(`${name} gave ${result.verdict}, built to give ${expected.verdict}`);
    for (const system of result.systems) {
      const waitedFor = expected.notDrilled[system.name];
      if (waitedFor !== undefined && system.waitedFor !== waitedFor) lines.push(`${name}: ${system.name} was to be stopped for ${waitedFor}, but ${system.waitedFor ? `waited for ${system.waitedFor}` : `was drilled (${system.verdict})`}`);
      if (waitedFor === undefined && system.waitedFor !== undefined) lines.push(`${name}: ${system.name} was not drilled (it waited for ${system.waitedFor})`);
    }
  }
  return lines;
}

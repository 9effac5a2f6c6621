/** The demo's check of the bundled plans: a plan result that is not what the plan was built to give is named. */
import assert from 'node:assert/strict';
import { planSurprises } from '../../harness/demo/plans.ts';
import type { PlanResult, PlanSystemResult } from '../../harness/plan/result.ts';

const system = (name: string, verdict: PlanSystemResult['verdict'], waitedFor?: string) => ({ name, verdict, waitedFor }) as PlanSystemResult;
const plan = (name: string, verdict: PlanResult['verdict'], systems: PlanSystemResult[]) => ({ plan: { name }, verdict, systems }) as PlanResult;

describe('demo plans', () => {
  it('accepts the verdicts the plans are built to give', () => {
    assert.deepEqual(planSurprises([
      plan('hospital', 'PASS', [system('share', 'PASS'), system('billing', 'PASS'), system('pacs', 'PASS')]),
      plan('hospital-broken', 'FAIL', [system('share', 'FAIL'), system('billing', 'ERROR', 'share'), system('pacs', 'PASS')]),
    ]), []);
  });

  it('names a wrong verdict, and a dependent system drilled though its dependency failed', () => {
    const lines = planSurprises([
      plan('hospital', 'FAIL', [system('share', 'FAIL'), system('billing', 'ERROR', 'share')]),
      plan('hospital-broken', 'FAIL', [system('share', 'FAIL'), system('billing', 'PASS')]),
    ]);
    assert.deepEqual(lines, [
      'plan hospital gave FAIL, built to give PASS',
      'plan hospital: billing was not drilled (it waited for share)',
      'plan hospital-broken: billing was to be stopped for share, but was drilled (PASS)',
    ]);
  });
});

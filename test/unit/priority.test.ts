/** A scenario's priority orders the drills of one run: lower first, none last, ties as given. */
import assert from 'node:assert/strict';
import { FakeClock } from '../../harness/clock.ts';
import type { DrillEvent } from '../../harness/drill/events.ts';
import { inPriorityOrder, runScenarios } from '../../harness/drill/run.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { FakeDriver } from '../helpers/fakes.ts';

const scenario = (name: string, priority?: number) =>
  parseScenario(`name: ${name}\nsource: { kind: directory, path: /nonexistent/${name} }\n${priority === undefined ? '' : `priority: ${priority}\n`}`, `/srv/${name}.yaml`);

describe('priority: the restore order of the BCP', () => {
  it('orders by priority, lower first, scenarios without one last, ties in the order given', () => {
    const ordered = inPriorityOrder([scenario('pacs', 3), scenario('share'), scenario('billing', 1), scenario('referrals', 3), scenario('intranet')]);
    assert.deepEqual(ordered.map((s) => s.spec.name), ['billing', 'pacs', 'referrals', 'share', 'intranet']);
  });

  it('runs the drills of one run in that order', async () => {
    const events: DrillEvent[] = [];
    const { results } = await runScenarios([scenario('share', 5), scenario('billing', 1)], {
      driver: new FakeDriver(),
      resultsRoot: '/tmp/rd-unit-results',
      parallel: 1,
      clock: new FakeClock(new Date('2026-11-01T03:00:00Z')),
      signal: new AbortController().signal,
      emit: async (e) => void events.push(e),
    });
    assert.deepEqual(events.filter((e) => e.type === 'drill:start').map((e) => (e as { drill: { scenario: string } }).drill.scenario), ['billing', 'share']);
    assert.deepEqual(results.map((r) => r.scenario.name), ['billing', 'share']);
  });

  it('is refused when it is not a whole number of 0 or more', () => {
    assert.throws(() => scenario('x', -1), /priority/);
  });
});

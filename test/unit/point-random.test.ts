/** random-within:<duration>: the seeded generator, the strategy's window edges, and how it is written. */
import assert from 'node:assert/strict';
import { pointStrategy, type ChoiceContext } from '../../harness/drill/point-choice.ts';
import { pickIndex, seededRandom } from '../../harness/drill/seeded-random.ts';
import { BackupError, ScenarioError, UsageError } from '../../harness/errors.ts';
import { parseScenario } from '../../harness/scenario/load.ts';
import { describeSelector, parsePointSelector, type RestorePoint } from '../../harness/sources/source.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-12-01T03:00:00Z');

/** Daily points, newest first: day 0 is NOW, day n is n days before. */
function dailyPoints(days: number): RestorePoint[] {
  return Array.from({ length: days }, (_, n) => ({ id: `night-${String(n).padStart(2, '0')}`, time: new Date(NOW.getTime() - n * DAY), location: `/backups/night-${n}` }));
}

function context(seed?: number): ChoiceContext {
  const scenario = parseScenario('name: share\nsource: { kind: tar, path: ./backups/*.tar }\n', '/srv/share.yaml');
  // The random strategy restores nothing: it needs neither the point work nor the manifests.
  return { scenario, work: undefined as never, manifests: () => undefined as never, seed, now: NOW };
}

const choose = (text: string, points: RestorePoint[], seed?: number) => pointStrategy(parsePointSelector(text), context(seed)).choose(points);

describe('the seeded generator', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const first = Array.from({ length: 5 }, () => a());
    assert.deepEqual(Array.from({ length: 5 }, () => b()), first);
    const c = seededRandom(8);
    assert.notDeepEqual(Array.from({ length: 5 }, () => c()), first);
    for (const x of first) assert.ok(x >= 0 && x < 1);
  });

  it('spreads its choices over every index (not always the first or the last)', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 300; seed++) {
      const index = pickIndex(seed, 10);
      assert.ok(index >= 0 && index < 10);
      seen.add(index);
    }
    assert.equal(seen.size, 10);
  });
});

describe('random-within:<duration>', () => {
  it('reads random-within:30d, and refuses a missing or wrong duration', () => {
    assert.deepEqual(parsePointSelector('random-within:30d'), { randomWithin: { window: '30d', windowMs: 30 * DAY } });
    assert.equal(describeSelector(parsePointSelector('random-within:12h')), 'random-within:12h');
    for (const bad of ['random-within:', 'random-within:soon', 'random-within:0d']) {
      assert.throws(() => parsePointSelector(bad), (err: unknown) => err instanceof UsageError && /random-within:30d/.test(err.message), bad);
    }
  });

  it('the same seed over the same points chooses the same point, and records the seed and candidates', async () => {
    const points = dailyPoints(40);
    const first = await choose('random-within:30d', points, 7);
    const again = await choose('random-within:30d', points, 7);
    assert.equal(again.point.id, first.point.id);
    assert.deepEqual(first.selection, { selector: 'random-within:30d', seed: 7, candidates: 31, available: { count: 40, oldest: points[39]!.time.toISOString(), newest: NOW.toISOString() } });
    assert.match(first.notes[0]!, /one of 31 points taken within 30d, with seed 7/);
    const chosen = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) chosen.add((await choose('random-within:30d', points, seed)).point.id);
    assert.ok(chosen.size > 10, `50 seeds chose only ${chosen.size} points`);
  });

  it('draws and records a seed when none is given', async () => {
    const choice = await choose('random-within:30d', dailyPoints(5));
    assert.equal(typeof choice.selection.seed, 'number');
    assert.equal((await choose('random-within:30d', dailyPoints(5), choice.selection.seed)).point.id, choice.point.id);
  });

  it('takes a point exactly at the window edge, never one just outside it', async () => {
    const edge: RestorePoint = { id: 'edge', time: new Date(NOW.getTime() - 30 * DAY), location: '/b/edge' };
    const outside: RestorePoint = { id: 'outside', time: new Date(NOW.getTime() - 30 * DAY - 1), location: '/b/outside' };
    for (let seed = 1; seed <= 20; seed++) {
      const choice = await choose('random-within:30d', [edge, outside], seed);
      assert.equal(choice.point.id, 'edge');
      assert.equal(choice.selection.candidates, 1);
    }
  });

  it('FAILs when no point was taken within the window, naming the window and the newest point and its age', async () => {
    const stale: RestorePoint[] = [{ id: 'night-old', time: new Date(NOW.getTime() - 45 * DAY), location: '/b/old' }];
    await assert.rejects(choose('random-within:30d', stale, 1), (err: unknown) => {
      assert.ok(err instanceof BackupError);
      assert.equal(err.code, 'NO_POINT_IN_WINDOW');
      assert.match(err.message, /no restore point taken within the last 30d \(random-within:30d\): the newest, night-old, is 45d old/);
      return true;
    });
    await assert.rejects(choose('random-within:30d', [], 1), (err: unknown) => err instanceof BackupError && err.code === 'NO_RESTORE_POINT');
  });

  it('source.point: random-within with a bad duration is a scenario error at the field', () => {
    assert.throws(
      () => parseScenario('name: share\nsource:\n  kind: restic\n  repository: ./r\n  password_env: PW\n  point: random-within:often\n', '/srv/s.yaml', 's.yaml'),
      (err: unknown) => err instanceof ScenarioError && /s\.yaml:6:10 source\.point: .*random-within:30d/.test(err.message),
    );
    assert.equal(parseScenario('name: share\nsource: { kind: restic, repository: ./r, password_env: PW, point: "random-within:30d" }\n', '/srv/s.yaml').spec.source.kind, 'restic');
  });
});

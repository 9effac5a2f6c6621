import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { notifyOverdue, OVERDUE_STATE_FILE } from '../../harness/notify/overdue.ts';
import type { PostPolicy } from '../../harness/notify/post.ts';
import { parseNotifyTarget } from '../../harness/notify/target.ts';
import { systemRows } from '../../harness/reporters/html/index-page.ts';
import { Redactor } from '../../harness/secrets/redactor.ts';
import { sampleResult } from '../helpers/results.ts';
import { webhook, type Webhook } from '../helpers/webhook.ts';

const DAY = 86_400_000;
const FAST: PostPolicy = { attempts: 2, timeoutMs: 300, backoffMs: 10, maxRetryAfterMs: 100 };

describe('notify: systems that became overdue', function () {
  this.timeout(10_000);
  let dir: string;
  let hook: Webhook | undefined;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'rd-overdue-'))));
  afterEach(async () => {
    await hook?.close();
    hook = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const passedAt = (name: string, at: string): DrillResult => sampleResult({ scenario: { name, file: `${name}.yaml`, digest: 'sha256:0' }, runId: `${name}-${at}`, startedAt: at, endedAt: at, drillIntervalMs: 7 * DAY, resultsDir: path.join(dir, name, at) });
  const rowsAt = (now: string, results: DrillResult[]) => systemRows(dir, results, { lang: 'en', now: new Date(now), defaultIntervalMs: 31 * DAY });
  const options = (warn: (line: string) => void = () => {}) => ({ targets: [parseNotifyTarget(hook!.url, '--notify')], redactor: new Redactor(), policy: FAST, warn });
  const told = () => hook!.received.map((r) => (r.body as { scenario: string }).scenario);

  it('tells each system once when it becomes overdue, and again only after it passed and fell overdue anew', async () => {
    hook = await webhook();
    const results = [passedAt('billing', '2026-11-01T03:00:00.000Z'), passedAt('pacs', '2026-11-06T03:00:00.000Z')];
    const first = await notifyOverdue(await rowsAt('2026-11-10T00:00:00.000Z', results), dir, options());
    assert.deepEqual(first.told, ['billing']);
    assert.deepEqual(told(), ['billing']);
    const body = hook.received[0]!.body as Record<string, unknown>;
    assert.equal(body.event, 'overdue');
    assert.equal(body.lastPassAt, '2026-11-01T03:00:00.000Z');
    assert.equal(body.report, path.join(dir, 'index.html'));

    await notifyOverdue(await rowsAt('2026-11-11T00:00:00.000Z', results), dir, options());
    assert.deepEqual(told(), ['billing'], 'still overdue: not told again');
    await notifyOverdue(await rowsAt('2026-11-14T00:00:00.000Z', results), dir, options());
    assert.deepEqual(told(), ['billing', 'pacs'], 'pacs fell overdue now');

    const again = [...results, passedAt('billing', '2026-11-15T03:00:00.000Z')];
    await notifyOverdue(await rowsAt('2026-11-16T00:00:00.000Z', again), dir, options());
    await notifyOverdue(await rowsAt('2026-11-30T00:00:00.000Z', again), dir, options());
    assert.deepEqual(told(), ['billing', 'pacs', 'billing'], 'billing passed, then fell overdue again');
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, OVERDUE_STATE_FILE), 'utf8')).told, ['billing', 'pacs']);
  });

  it('a system whose notification failed is tried again next time', async () => {
    hook = await webhook([{ status: 500 }, { status: 500 }]);
    const warnings: string[] = [];
    const results = [passedAt('billing', '2026-11-01T03:00:00.000Z')];
    const first = await notifyOverdue(await rowsAt('2026-11-10T00:00:00.000Z', results), dir, options((line) => warnings.push(line)));
    assert.deepEqual(first, { told: [], failed: ['billing'] });
    assert.equal(warnings.length, 1);
    await notifyOverdue(await rowsAt('2026-11-11T00:00:00.000Z', results), dir, options());
    assert.equal(hook.received.length, 3, 'two failed attempts, then the retry the next day');
  });

  it('a damaged state file is started afresh, not a crash', async () => {
    hook = await webhook();
    await writeFile(path.join(dir, OVERDUE_STATE_FILE), '{not json');
    const outcome = await notifyOverdue(await rowsAt('2026-11-10T00:00:00.000Z', [passedAt('billing', '2026-11-01T03:00:00.000Z')]), dir, options());
    assert.deepEqual(outcome.told, ['billing']);
  });
});

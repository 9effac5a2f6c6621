import assert from 'node:assert/strict';
import { formatProgress, formatSize, formatTimeLeft, ProgressRate } from '../../harness/reporters/progress-line.ts';
import { restoreTotal, throttledProgress } from '../../harness/drill/progress.ts';
import type { BackupSource, RestorePoint } from '../../harness/sources/source.ts';
import type { DrillEvent } from '../../harness/drill/events.ts';
import { liveProgress } from '../../harness/reporters/console.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('progress: bytes, rate and time left', () => {
  it('sizes as people read them: one decimal under 100, whole above', () => {
    assert.equal(formatSize(0), '0 B');
    assert.equal(formatSize(1536), '1.5 KiB');
    assert.equal(formatSize(12.34 * GiB), '12.3 GiB');
    assert.equal(formatSize(200 * GiB), '200 GiB');
    assert.equal(formatSize(410 * MiB), '410 MiB');
    assert.equal(formatSize(3 * 1024 * GiB), '3.0 TiB');
  });

  it('time left, rounded up to what is worth saying', () => {
    assert.equal(formatTimeLeft(44_200), '45 s left');
    assert.equal(formatTimeLeft(6 * 60_000 + 10_000), '7 min left');
    assert.equal(formatTimeLeft(80 * 60_000), '1 h 20 min left');
    assert.equal(formatTimeLeft(50 * 3_600_000), '2 d 2 h left');
  });

  it('with a known total: done of total, rate, time left', () => {
    assert.equal(formatProgress({ files: 1234, bytes: 12.3 * GiB, totalBytes: 200 * GiB }, 410 * MiB), '1234 files, 12.3 GiB of 200 GiB, 410 MiB/s, 8 min left');
  });

  it('without a total (or past a total that was too small): bytes and rate only', () => {
    assert.equal(formatProgress({ files: 3, bytes: 12.3 * GiB }, 410 * MiB), '3 files, 12.3 GiB, 410 MiB/s');
    assert.equal(formatProgress({ files: 3, bytes: 12.3 * GiB, totalBytes: 10 * GiB }, 410 * MiB), '3 files, 12.3 GiB, 410 MiB/s');
    assert.equal(formatProgress({ files: 1, bytes: 5 * MiB, totalBytes: 10 * GiB }, undefined), '1 file, 5.0 MiB of 10.0 GiB');
  });

  it('the rate is the bytes since the first sample over the time since, once a second has passed', () => {
    const rate = new ProgressRate();
    assert.equal(rate.sample(0, 10_000), undefined);
    assert.equal(rate.sample(100 * MiB, 10_500), undefined);
    assert.equal(rate.sample(400 * MiB, 12_000), 200 * MiB);
    assert.equal(rate.sample(400 * MiB, 14_000), 100 * MiB);
  });
});

describe('progress: the events are throttled', () => {
  it('at most one event per 250 ms per drill and phase, each small (files, bytes, total)', () => {
    let now = 0;
    const events: DrillEvent[] = [];
    const onProgress = throttledProgress(async (event) => void events.push(event), { runId: 'r', scenario: 's' }, 'restore', { totalBytes: 1000, now: () => now });
    for (let i = 1; i <= 1000; i++) {
      now = i; // a thousand updates within one second
      onProgress({ files: i, bytes: i, warnings: ['not carried'] });
    }
    assert.equal(events.length, 4, 'the first, then one per 250 ms');
    assert.deepEqual(events[0], { type: 'progress', drill: { runId: 'r', scenario: 's' }, phase: 'restore', files: 1, bytes: 1, totalBytes: 1000 });
    assert.deepEqual(events.map((e) => (e as { bytes: number }).bytes), [1, 251, 501, 751]);
  });
});

describe('progress: the total of a restore', () => {
  const point = (location: string, extra: Partial<RestorePoint> = {}): RestorePoint => ({ id: 'p', time: new Date(0), location, sizeBytes: 5000, ...extra });
  const source = (kind: string, totalSize?: () => Promise<number | undefined>) => ({ kind, totalSize }) as unknown as BackupSource;

  it('an uncompressed tar is its own total; a compressed one has none (its size is not what it unpacks to)', async () => {
    assert.equal(await restoreTotal(source('tar'), point('/b/share.tar'), false), 5000);
    assert.equal(await restoreTotal(source('tar'), point('/b/share.tar.gz'), true), undefined);
    assert.equal(await restoreTotal(source('tar'), point('/b/share.tar', { sample: ['a/'] }), true), undefined, 'a sample restores only part');
  });

  it("asks the backup tool only when allowed (a terminal watches), and a failing tool is no total, not an error", async () => {
    let asked = 0;
    const restic = source('restic', async () => (asked++, 7777));
    assert.equal(await restoreTotal(restic, point('/repo'), false), undefined);
    assert.equal(asked, 0);
    assert.equal(await restoreTotal(restic, point('/repo'), true), 7777);
    assert.equal(await restoreTotal(source('borg', () => Promise.reject(new Error('borg: lock'))), point('/repo'), true), undefined);
  });
});

describe('progress: where it is shown live', () => {
  const stream = (fields: Partial<NodeJS.WriteStream>) => fields as NodeJS.WriteStream;
  it('on a terminal, but not one that says it is 0 columns wide (the spinner would never stop clearing)', () => {
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      assert.equal(liveProgress(stream({ isTTY: true, columns: 120 })), true);
      assert.equal(liveProgress(stream({ isTTY: true, columns: 0 })), false);
      assert.equal(liveProgress(stream({ isTTY: false })), false);
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });
});

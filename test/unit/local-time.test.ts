import assert from 'node:assert/strict';
import { checkTimeZone, formatLocalTime } from '../../harness/reporters/local-time.ts';
import { describeResult } from '../../harness/reporters/console.ts';
import { renderReport } from '../../harness/reporters/html/report-page.ts';
import { UsageError } from '../../harness/errors.ts';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { sampleResult } from '../helpers/results.ts';

const NIGHT = '2026-12-01T19:19:30.000Z';

describe('unit: local time (shown local with its offset, kept UTC)', function () {
  let savedTz: string | undefined;
  beforeEach(() => {
    savedTz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo'; // Node applies a TZ set while it runs
  });
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('formats a UTC time in TZ with the zone name and offset', () => {
    assert.equal(formatLocalTime(NIGHT), '2026-12-02 04:19 JST (+09:00)');
    assert.equal(formatLocalTime(new Date(NIGHT), { seconds: true }), '2026-12-02 04:19:30 JST (+09:00)');
  });

  it('names the zone where a locale knows it, else only the offset', () => {
    assert.equal(formatLocalTime(NIGHT, { zone: 'America/New_York' }), '2026-12-01 14:19 EST (-05:00)');
    assert.equal(formatLocalTime('2026-07-01T12:00:00Z', { zone: 'Europe/Berlin' }), '2026-07-01 14:00 CEST (+02:00)');
    assert.equal(formatLocalTime(NIGHT, { zone: 'Asia/Kolkata' }), '2026-12-02 00:49 (+05:30)');
    assert.equal(formatLocalTime(NIGHT, { zone: 'UTC' }), '2026-12-01 19:19 UTC (+00:00)');
  });

  it('leaves what is not a time as it is, and nothing as nothing', () => {
    assert.equal(formatLocalTime('not a time'), 'not a time');
    assert.equal(formatLocalTime(undefined), '');
  });

  it('console and report.html show local times; result.json keeps UTC', () => {
    const result = sampleResult({ startedAt: NIGHT, restorePoint: { id: 'n.tar.gz', time: '2026-12-01T15:00:00.000Z', location: '/b/n.tar.gz', sourceKind: 'tar' } });
    assert.match(describeResult(result), /restore point n\.tar\.gz from 2026-12-02 00:00 JST \(\+09:00\)/);
    const page = renderReport(result, { lang: 'ja', evidence: { state: 'none' } });
    assert.ok(page.includes('2026-12-02 04:19 JST (+09:00)'), 'the start, local');
    assert.ok(page.includes('2026-12-02 00:00 JST (+09:00)'), 'the restore point, local');
    assert.equal(JSON.parse(JSON.stringify(result)).startedAt, NIGHT);
  });

  it('--tz: a zone Node does not know is a usage error naming the flag', async () => {
    assert.equal(checkTimeZone('Asia/Tokyo'), 'Asia/Tokyo');
    assert.throws(() => checkTimeZone('Mars/Olympus'), (err: unknown) => err instanceof UsageError && /--tz Mars\/Olympus: not a time zone/.test(err.message));
    const { code, stderr } = await runCli(['--tz', 'Mars/Olympus', 'validate', 'scenarios/share-nightly.yaml']);
    assert.equal(code, 64);
    assert.match(stderr, /--tz Mars\/Olympus: not a time zone this Node knows; give an IANA name/);
  });

  it('--tz sets the zone the CLI shows times in, before or after the command', async () => {
    const tmp = await tempDir('rd-tz-');
    try {
      await writeTree(path.join(tmp.path, 'share'), { 'a.txt': 'a\n' });
      await makeArchive(path.join(tmp.path, 'share'), path.join(tmp.path, 'backups', 'share-1.tar'), new Date(NIGHT));
      const file = await writeScenario(path.join(tmp.path, 'tz.yaml'), 'name: tz\nsource: { kind: tar, path: backups/share-*.tar }\nexpect: { command: [{ run: "true" }] }\n');
      for (const args of [['--tz', 'Asia/Tokyo', 'points', file], ['points', file, '--tz', 'America/New_York']]) {
        const { code, stdout, stderr } = await runCli(args, { env: { TZ: 'UTC' } });
        assert.equal(code, 0, stderr);
        assert.match(stdout, args[1] === 'Asia/Tokyo' ? /share-1\.tar {2}2026-12-02 04:19 JST \(\+09:00\)/ : /share-1\.tar {2}2026-12-01 14:19 EST \(-05:00\)/);
      }
    } finally {
      await tmp.remove();
    }
  });
});

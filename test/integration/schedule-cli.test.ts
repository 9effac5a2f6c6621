/** restore-drill schedule through the real CLI: units installed into a folder (never systemctl), accepted by systemd-analyze verify. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { writeScenario } from '../helpers/fixtures.ts';

describe('restore-drill schedule (real CLI)', function () {
  this.timeout(30_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let files: string[];
  before(async () => {
    tmp = await tempDir('rd-schedule-');
    files = [
      await writeScenario(path.join(tmp.path, 'drills', 'billing.yaml'), 'name: billing\nsource: { kind: directory, path: /srv/backups/billing }\ntargets: { drill_interval: 7d }\n'),
      await writeScenario(path.join(tmp.path, 'my drills', 'pacs.yaml'), 'name: pacs\nsource: { kind: directory, path: /srv/backups/pacs }\n'),
    ];
  });
  after(() => tmp.remove());

  it('--install --dir writes a .service and a .timer per scenario that systemd-analyze verify accepts', async function () {
    const dir = path.join(tmp.path, 'units');
    const { code, stdout, stderr } = await runCli(['schedule', ...files, '--install', '--dir', dir, '--user', 'restore-drill', '--results', path.join(tmp.path, 'results')]);
    assert.equal(code, 0, stderr);
    assert.deepEqual((await readdir(dir)).sort(), ['restore-drill-billing.service', 'restore-drill-billing.timer', 'restore-drill-pacs.service', 'restore-drill-pacs.timer']);
    assert.match(stdout, /systemctl daemon-reload && systemctl enable --now restore-drill-billing\.timer restore-drill-pacs\.timer/);
    const service = await readFile(path.join(dir, 'restore-drill-pacs.service'), 'utf8');
    assert.match(service, new RegExp(`^ExecStart=${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\S+/harness/cli/main\\.ts run "${tmp.path}/my drills/pacs\\.yaml" --results ${tmp.path}/results$`, 'm'));
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.error) {
      console.log('      skipped the systemd-analyze verify part: systemd-analyze is not installed (Debian package systemd)');
      this.skip();
    }
    const units = (await readdir(dir)).map((name) => path.join(dir, name));
    const verify = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', 'no warning either');
  });

  it('systemd-analyze verify does refuse a broken calendar (so the test above can fail)', async function () {
    if (spawnSync('systemd-analyze', ['--version']).error) this.skip();
    const { code, stderr } = await runCli(['schedule', files[0]!, '--install', '--dir', path.join(tmp.path, 'broken')]);
    assert.equal(code, 0, stderr);
    const timer = path.join(tmp.path, 'broken', 'restore-drill-billing.timer');
    const text = (await readFile(timer, 'utf8')).replace(/^OnCalendar=.*$/m, 'OnCalendar=Sun *-*-* 25:00:00');
    await import('node:fs/promises').then((fs) => fs.writeFile(timer, text));
    assert.notEqual(spawnSync('systemd-analyze', ['verify', timer]).status, 0);
  });

  it('--cron prints crontab lines and writes nothing; --cron with --install is refused (exit 64)', async () => {
    const { code, stdout } = await runCli(['schedule', ...files, '--cron']);
    assert.equal(code, 0);
    assert.match(stdout, /^\d+ 2 \* \* 0 cd \S+\/drills && \S+ \S+\/main\.ts run \S+\/billing\.yaml --results \S+$/m);
    assert.match(stdout, /^\d+ 2 1 \* \* cd '[^']*my drills' && /m);
    const refused = await runCli(['schedule', ...files, '--cron', '--install']);
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /--install and --dir are for systemd units/);
  });

  it('a scenario with an interval under an hour is refused (exit 64) naming the field', async () => {
    const file = await writeScenario(path.join(tmp.path, 'fast', 'fast.yaml'), 'name: fast\nsource: { kind: directory, path: /b }\ntargets: { drill_interval: 10m }\n');
    const { code, stderr } = await runCli(['schedule', file]);
    assert.equal(code, 64);
    assert.match(stderr, /shorter than an hour.*drill_interval/);
  });
});

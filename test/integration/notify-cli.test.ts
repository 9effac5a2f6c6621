/**
 * --notify through the real CLI: a drill that FAILs is posted to a webhook on 127.0.0.1 made here, a
 * PASS is not, and a webhook that cannot be reached is a warning and a note, never a verdict.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { sampleResult } from '../helpers/results.ts';
import { webhook } from '../helpers/webhook.ts';

describe('restore-drill run --notify (local sandbox, a webhook on 127.0.0.1)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let env: NodeJS.ProcessEnv;
  let good: string;
  let flipped: string;
  let flippedWithSecret: string;

  before(async () => {
    tmp = await tempDir('rd-notify-');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree, { 'a.txt': 'alpha\n', 'b/c.txt': 'gamma\n' });
    await makeManifest(tree, path.join(tmp.path, 'expected.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'good', 'share.tar'));
    await writeFile(path.join(tree, 'b/c.txt'), 'gamme\n');
    await makeArchive(tree, path.join(tmp.path, 'flipped', 'share.tar'));
    good = await writeScenario(path.join(tmp.path, 'scenarios', 'good.yaml'), 'name: good\nsource: { kind: tar, path: ../good/share.tar }\nexpect: { files: { manifest: ../expected.sha256 } }\n');
    flipped = await writeScenario(path.join(tmp.path, 'scenarios', 'flipped.yaml'), 'name: flipped\nsource: { kind: tar, path: ../flipped/share.tar }\nexpect: { files: { manifest: ../expected.sha256 } }\n');
    // A declared secret makes the run redact: each event then reaches the reporters as its own copy.
    flippedWithSecret = await writeScenario(path.join(tmp.path, 'scenarios', 'flipped-secret.yaml'), 'name: flipped-secret\nsource: { kind: tar, path: ../flipped/share.tar }\nsecrets:\n  NAS_TOKEN: { env: RD_NAS_TOKEN }\nexpect: { files: { manifest: ../expected.sha256 } }\n');
    env = { RESTORE_DRILL_CONFIG: path.join(tmp.path, 'config.json'), RD_NAS_TOKEN: 'nas-token-0123456789' };
  });
  after(() => tmp.remove());

  const run = (args: string[]) => runCli(['run', ...args, '--sandbox', 'local', '--results', path.join(tmp.path, 'results')], { env });

  it('posts the FAIL of a drill, and nothing for a PASS', async () => {
    const hook = await webhook();
    try {
      await writeFile(env.RESTORE_DRILL_CONFIG!, JSON.stringify({ notify: [`slack+${hook.url}`] }));
      const passed = await run([good, '--notify', hook.url]);
      assert.equal(passed.code, 0, passed.stderr);
      assert.equal(hook.received.length, 0, 'a PASS is not notified');
      const failed = await run([flipped, '--notify', hook.url]);
      assert.equal(failed.code, 1, failed.stderr);
      const bodies = hook.received.map((r) => r.body as Record<string, unknown>);
      assert.equal(bodies.length, 2, 'the --notify webhook and the config file\'s');
      const json = bodies.find((b) => b.schema)!;
      assert.equal(json.verdict, 'FAIL');
      assert.equal(json.scenario, 'flipped');
      assert.match(String(json.report), /results\/flipped\/.+\/report\.html$/);
      const slack = bodies.find((b) => b.blocks) as { text: string };
      assert.match(slack.text, /^restore-drill: FAIL flipped/);
    } finally {
      await hook.close();
    }
  });

  it('a webhook that cannot be reached leaves the verdict and exit code, warns without its token, and notes it in result.json', async () => {
    await writeFile(env.RESTORE_DRILL_CONFIG!, '{}');
    const port = await closedPort();
    const { code, stdout, stderr } = await run([flippedWithSecret, '--json', '--notify', `teams+http://127.0.0.1:${port}/webhookb2/SECRET-TOKEN-123`]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, new RegExp(`warning: the notification to http://127\\.0\\.0\\.1:${port}/… was not sent \\(the webhook could not be reached \\(ECONNREFUSED\\), 3 attempts\\)`));
    assert.ok(!stderr.includes('SECRET-TOKEN') && !stdout.includes('SECRET-TOKEN'));
    const [result] = (JSON.parse(stdout) as { results: DrillResult[] }).results;
    assert.ok(result!.notes.some((n) => n.startsWith(`the notification to http://127.0.0.1:${port}/… was not sent`)), 'in the --json output too');
    const onDisk = JSON.parse(await readFile(path.join(result!.resultsDir, 'result.json'), 'utf8')) as DrillResult;
    assert.equal(onDisk.verdict, 'FAIL');
    assert.ok(onDisk.notes.some((n) => n.startsWith(`the notification to http://127.0.0.1:${port}/… was not sent`)), onDisk.notes.join('\n'));
  });

  it('plan run takes --notify too (the same drill options as run)', async () => {
    const { code, stdout } = await runCli(['plan', 'run', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /--notify <url>/);
  });

  it('refuses a --notify that is not a webhook URL (exit 64), without echoing its token', async () => {
    const { code, stderr } = await run([good, '--notify', 'ftp://h.example/TOKEN-abc']);
    assert.equal(code, 64);
    assert.match(stderr, /--notify: a webhook URL must start with https:\/\//);
    assert.ok(!stderr.includes('TOKEN-abc'));
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('restore-drill report --notify: systems that became overdue', function () {
  this.timeout(30_000);

  it('tells the webhook once of a system whose last PASS is older than its interval; not at all with --at', async () => {
    const tmp = await tempDir('rd-notify-report-');
    const hook = await webhook();
    try {
      const results = path.join(tmp.path, 'results');
      for (const [name, daysAgo] of [['billing', 40], ['pacs', 2]] as const) {
        const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
        const dir = path.join(results, name, 'run-1');
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, 'result.json'), JSON.stringify(sampleResult({ scenario: { name, system: '医事会計', file: `${name}.yaml`, digest: 'sha256:0' }, startedAt: at, endedAt: at, resultsDir: dir })));
      }
      const env = { RESTORE_DRILL_CONFIG: path.join(tmp.path, 'config.json') };
      const audit = await runCli(['report', results, '--notify', `teams+${hook.url}`, '--at', new Date().toISOString()], { env });
      assert.equal(audit.code, 0, audit.stderr);
      assert.equal(hook.received.length, 0, '--at judges another time: nobody is told');
      const first = await runCli(['report', results, '--notify', `teams+${hook.url}`], { env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /overdue: billing/);
      assert.match(first.stdout, /told 1 webhook that billing became overdue/);
      assert.equal(hook.received.length, 1);
      const card = hook.received[0]!.body as { attachments: { content: { body: { text: string }[] } }[] };
      assert.match(card.attachments[0]!.content.body[0]!.text, /billing \\\(医事会計\\\) is overdue for a restore drill/);
      const second = await runCli(['report', results, '--notify', `teams+${hook.url}`], { env });
      assert.equal(second.code, 0, second.stderr);
      assert.equal(hook.received.length, 1, 'told once');
    } finally {
      await hook.close();
      await tmp.remove();
    }
  });
});

describe('restore-drill schedule --notify: a daily check for overdue systems', function () {
  this.timeout(30_000);

  it('adds restore-drill-overdue.service and .timer (report RESULTS), never writes the URL into a unit, and says where it goes', async function () {
    const tmp = await tempDir('rd-notify-schedule-');
    try {
      const file = await writeScenario(path.join(tmp.path, 'drills', 'billing.yaml'), 'name: billing\nsource: { kind: directory, path: /srv/backups/billing }\ntargets: { drill_interval: 7d }\n');
      const dir = path.join(tmp.path, 'units');
      const results = path.join(tmp.path, 'results');
      const url = 'slack+https://hooks.example/services/T0/B0/TOKEN-xyz-123';
      const { code, stdout, stderr } = await runCli(['schedule', file, '--install', '--dir', dir, '--results', results, '--notify', url]);
      assert.equal(code, 0, stderr);
      const names = (await readdir(dir)).sort();
      assert.deepEqual(names, ['restore-drill-billing.service', 'restore-drill-billing.timer', 'restore-drill-overdue.service', 'restore-drill-overdue.timer']);
      const texts = await Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
      assert.ok(texts.every((t) => !t.includes('TOKEN') && !t.includes('hooks.example')), 'no unit holds the webhook');
      assert.ok(!stdout.includes('TOKEN') && !stderr.includes('TOKEN'));
      const service = texts[2]!;
      assert.match(service, new RegExp(`^ExecStart=\\S+ \\S+/harness/cli/main\\.ts report ${results.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
      assert.match(service, /^EnvironmentFile=-\/etc\/restore-drill\/environment$/m);
      assert.match(texts[3]!, /^OnCalendar=\*-\*-\* 07:00:00$/m);
      assert.match(stdout, /systemctl enable --now restore-drill-billing\.timer restore-drill-overdue\.timer/);
      assert.match(stderr, /RESTORE_DRILL_NOTIFY=.*\/etc\/restore-drill\/environment/);
      if (spawnSync('systemd-analyze', ['--version']).error) {
        console.log('      skipped the systemd-analyze verify part: systemd-analyze is not installed (Debian package systemd)');
        return;
      }
      const verify = spawnSync('systemd-analyze', ['verify', ...names.map((n) => path.join(dir, n))], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(verify.status, 0, verify.stderr);

      const cron = await runCli(['schedule', file, '--cron', '--results', results, '--notify', url]);
      assert.equal(cron.code, 0, cron.stderr);
      assert.match(cron.stdout, /^0 7 \* \* \* \S+ \S+\/harness\/cli\/main\.ts report \S+$/m);
      assert.ok(!cron.stdout.includes('TOKEN'));
    } finally {
      await tmp.remove();
    }
  });
});

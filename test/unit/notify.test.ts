import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { notifyTargets } from '../../harness/notify/config.ts';
import { drillSummary, messageBody } from '../../harness/notify/message.ts';
import { postMessage, retryAfterMs, type PostPolicy } from '../../harness/notify/post.ts';
import { notifyReporter } from '../../harness/notify/reporter.ts';
import { maskedUrl, parseNotifyTarget } from '../../harness/notify/target.ts';
import { Redactor } from '../../harness/secrets/redactor.ts';
import { sampleResult } from '../helpers/results.ts';
import { webhook, type Webhook } from '../helpers/webhook.ts';

const FAST: PostPolicy = { attempts: 3, timeoutMs: 300, backoffMs: 20, maxRetryAfterMs: 1500 };
const failed = () => sampleResult({ verdict: 'FAIL', reason: 'files check failed: 1 changed (紹介状/紹介状_0002.txt)', error: undefined });

describe('notify: webhook targets', () => {
  it('takes the message shape from the URL prefix, plain JSON without one', () => {
    assert.equal(parseNotifyTarget('https://h.example/x', '--notify').format, 'json');
    assert.equal(parseNotifyTarget('slack+https://hooks.slack.com/services/T/B/secret', '--notify').format, 'slack');
    assert.equal(parseNotifyTarget('TEAMS+https://x.webhook.office.com/webhookb2/abc', '--notify').format, 'teams');
    assert.equal(parseNotifyTarget('teams+https://x.webhook.office.com/webhookb2/abc', '--notify').url.href, 'https://x.webhook.office.com/webhookb2/abc');
  });

  it('never shows the path or query, where the token is', () => {
    const target = parseNotifyTarget('slack+https://hooks.slack.com/services/T000/B000/XXXXSECRET?x=1', '--notify');
    assert.equal(target.shown, 'https://hooks.slack.com/…');
    assert.equal(maskedUrl(new URL('https://h.example:8443/')), 'https://h.example:8443');
    assert.throws(() => parseNotifyTarget('ftp://h.example/TOKEN123', '--notify'), (err: Error) => /https:\/\//.test(err.message) && !err.message.includes('TOKEN123'));
    assert.throws(() => parseNotifyTarget('not a url/TOKEN123', '--notify'), (err: Error) => (err as { code?: string }).code === 'USAGE' && !err.message.includes('TOKEN123'));
    assert.throws(() => parseNotifyTarget('https://user:pw-TOKEN123@h.example/x', '--notify'), (err: Error) => !err.message.includes('TOKEN123'));
  });

  it('adds RESTORE_DRILL_NOTIFY and the config file\'s notify list to the --notify ones, and names the file when it is wrong', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rd-notify-'));
    try {
      const config = path.join(dir, 'config.json');
      await writeFile(config, JSON.stringify({ notify: ['teams+https://t.example/hook/1', 'https://a.example/x'] }));
      const targets = await notifyTargets([parseNotifyTarget('https://a.example/x', '--notify')], { RESTORE_DRILL_CONFIG: config });
      assert.deepEqual(targets.map((t) => `${t.format} ${t.url.href}`), ['json https://a.example/x', 'teams https://t.example/hook/1']);
      await writeFile(config, JSON.stringify({ notify: 'https://a.example/x' }));
      await assert.rejects(notifyTargets([], { RESTORE_DRILL_CONFIG: config }), (err: Error) => (err as { code?: string }).code === 'CONFIG_INVALID' && err.message.includes(config));
      await writeFile(config, JSON.stringify({ notify: ['mailto:it@h.example'] }));
      await assert.rejects(notifyTargets([], { RESTORE_DRILL_CONFIG: config }), (err: Error) => err.message.includes('notify[0]'));
      assert.deepEqual(await notifyTargets([], { RESTORE_DRILL_CONFIG: path.join(dir, 'absent.json') }), []);
      const fromEnv = await notifyTargets([], { RESTORE_DRILL_CONFIG: path.join(dir, 'absent.json'), RESTORE_DRILL_NOTIFY: ' slack+https://s.example/a\nhttps://j.example/b ' });
      assert.deepEqual(fromEnv.map((t) => `${t.format} ${t.url.href}`), ['slack https://s.example/a', 'json https://j.example/b']);
      await assert.rejects(notifyTargets([], { RESTORE_DRILL_CONFIG: path.join(dir, 'absent.json'), RESTORE_DRILL_NOTIFY: 'nope/TOKEN123' }), (err: Error) => err.message.startsWith('RESTORE_DRILL_NOTIFY:') && !err.message.includes('TOKEN123'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('notify: the message', () => {
  it('sends only the summary fields, never checks, findings or logs', () => {
    const body = messageBody('json', drillSummary(sampleResult({ verdict: 'ERROR', reason: 'the sandbox failed', error: { code: 'SANDBOX_FAILED', kind: 'infrastructure', message: 'x' } }))) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['endedAt', 'errorCode', 'event', 'host', 'point', 'reason', 'report', 'rpo', 'rto', 'runId', 'scenario', 'schema', 'startedAt', 'system', 'verdict']);
    assert.equal(body.report, '/results/billing/2026-11-01T03-00-00-000Z-abcd/report.html');
    assert.deepEqual(body.point, { id: 'billing-20261031.tar.gz', time: '2026-10-31T18:00:00.000Z' });
  });

  it('Slack: {text, blocks}, with a hostile name in the reason kept as text', () => {
    const result = sampleResult({ verdict: 'FAIL', reason: 'changed: <!channel> <https://evil.example|click> & more' });
    const body = messageBody('slack', drillSummary(result)) as { text: string; blocks: { type: string; text: { text: string } }[] };
    assert.match(body.text, /^restore-drill: FAIL billing \(医事会計\)\n/);
    assert.ok(!body.text.includes('<!channel>') && !body.text.includes('<https://'), body.text);
    assert.ok(body.text.includes('&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; more'));
    assert.deepEqual(body.blocks.map((b) => b.type), ['header', 'section']);
    assert.ok(!body.blocks[1]!.text.text.includes('<!channel>'));
  });

  it('Teams: an Adaptive Card message, with the markup in the reason made inert, and the reason cut short', () => {
    const result = sampleResult({ verdict: 'LATE', reason: `[click](https://evil.example) <b>x</b>\n${'y'.repeat(2000)}` });
    const body = messageBody('teams', drillSummary(result)) as { type: string; attachments: { contentType: string; content: { type: string; body: { text: string; color?: string }[] } }[] };
    assert.equal(body.type, 'message');
    const card = body.attachments[0]!;
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.content.type, 'AdaptiveCard');
    const [title, reason] = card.content.body;
    assert.equal(title!.text, 'restore-drill: LATE billing \\(医事会計\\)');
    assert.equal(title!.color, 'Warning');
    assert.ok(reason!.text.startsWith('\\[click\\]\\(https://evil.example\\) &lt;b&gt;x&lt;/b&gt; yyy'), reason!.text);
    assert.ok(reason!.text.length < 1000);
  });
});

describe('notify: posting with bounded retries (a server on 127.0.0.1)', function () {
  this.timeout(10_000);
  let hook: Webhook | undefined;
  afterEach(async () => {
    await hook?.close();
    hook = undefined;
  });
  const target = () => parseNotifyTarget(hook!.url, '--notify');

  it('posts once when the webhook answers 2xx', async () => {
    hook = await webhook([{ status: 204 }]);
    assert.deepEqual(await postMessage(target(), { a: 1 }, FAST), { ok: true, attempts: 1 });
    assert.deepEqual(hook.received.map((r) => r.body), [{ a: 1 }]);
    assert.equal(hook.received[0]!.path, '/hook/T0KEN-abcdef123456');
  });

  it('retries a 500 after a pause, and succeeds', async () => {
    hook = await webhook([{ status: 500 }, { status: 503 }, { status: 200 }]);
    assert.deepEqual(await postMessage(target(), {}, FAST), { ok: true, attempts: 3 });
    const [a, b, c] = hook.received.map((r) => r.at);
    assert.ok(b! - a! >= 15 && c! - b! >= 35, `backoff doubles: ${b! - a!}ms then ${c! - b!}ms`);
  });

  it('gives up after its attempts when nothing answers in time, without the token in the reason', async () => {
    hook = await webhook(['hang', 'hang', 'hang']);
    const started = Date.now();
    const outcome = await postMessage(target(), {}, FAST);
    assert.deepEqual(outcome, { ok: false, attempts: 3, reason: 'no answer within 0.3s' });
    assert.ok(Date.now() - started < 3 * 300 + 200 + 1000, `bounded: ${Date.now() - started}ms`);
  });

  it('waits what a 429 Retry-After asks, up to its cap', async () => {
    hook = await webhook([{ status: 429, headers: { 'retry-after': '1' } }, { status: 429, headers: { 'retry-after': '3600' } }, { status: 200 }]);
    const outcome = await postMessage(target(), {}, FAST);
    assert.deepEqual(outcome, { ok: true, attempts: 3 });
    const [a, b, c] = hook.received.map((r) => r.at);
    assert.ok(b! - a! >= 950, `Retry-After 1 waited ${b! - a!}ms`);
    assert.ok(c! - b! >= 1450 && c! - b! < 2500, `Retry-After 3600 cut to the 1.5s cap: ${c! - b!}ms`);
  });

  it('does not retry a 4xx other than 429 (a wrong or revoked webhook)', async () => {
    hook = await webhook([{ status: 404 }, { status: 200 }]);
    assert.deepEqual(await postMessage(target(), {}, FAST), { ok: false, attempts: 1, reason: 'the webhook answered HTTP 404' });
  });

  it('does not follow a redirect: the message would go wherever the answer points', async () => {
    const elsewhere = await webhook();
    try {
      hook = await webhook([{ status: 307, headers: { location: elsewhere.url } }]);
      const outcome = await postMessage(target(), { a: 1 }, FAST);
      assert.equal(outcome.ok, false);
      assert.equal(hook.received.length, 1);
      assert.equal(elsewhere.received.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  it('reads Retry-After as seconds or as a date', () => {
    assert.equal(retryAfterMs('7'), 7000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
  });
});

describe('notify: the reporter', function () {
  this.timeout(10_000);
  let hook: Webhook | undefined;
  afterEach(async () => {
    await hook?.close();
    hook = undefined;
  });
  const context = { emit: () => {} };

  it('tells the webhook of a drill that is not PASS, redacted, and says nothing of a PASS', async () => {
    hook = await webhook();
    const redactor = new Redactor().add('DB_PASSWORD', 'correct-horse-battery');
    const reporter = notifyReporter({ targets: [parseNotifyTarget(hook.url, '--notify')], redactor, policy: FAST, warn: () => assert.fail('no warning') });
    await reporter['drill:end']!({ type: 'drill:end', drill: { runId: 'r', scenario: 'billing' }, result: sampleResult() }, context);
    const bad = sampleResult({ verdict: 'FAIL', reason: 'psql said: password correct-horse-battery rejected' });
    await reporter['drill:end']!({ type: 'drill:end', drill: { runId: 'r', scenario: 'billing' }, result: bad }, context);
    assert.equal(hook.received.length, 1);
    const body = hook.received[0]!.body as { verdict: string; reason: string };
    assert.equal(body.verdict, 'FAIL');
    assert.equal(body.reason, 'psql said: password [secret:DB_PASSWORD] rejected');
    assert.deepEqual(bad.notes, []);
  });

  it('a notification that fails is a warning and a note in the result, and leaves the verdict', async () => {
    hook = await webhook([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const warnings: string[] = [];
    const reporter = notifyReporter({ targets: [parseNotifyTarget(`slack+${hook.url}`, '--notify')], redactor: new Redactor(), policy: FAST, warn: (line) => warnings.push(line) });
    const result = failed();
    await reporter['drill:end']!({ type: 'drill:end', drill: { runId: 'r', scenario: 'billing' }, result }, context);
    assert.equal(result.verdict, 'FAIL');
    assert.equal(hook.received.length, 3);
    const port = new URL(hook.url).port;
    assert.deepEqual(result.notes, [`the notification to http://127.0.0.1:${port}/… was not sent (the webhook answered HTTP 500, 3 attempts); the verdict is not changed by it`]);
    assert.deepEqual(warnings, [`restore-drill: warning: ${result.notes[0]}`]);
    assert.ok(!warnings.join('').includes('T0KEN'));
  });
});

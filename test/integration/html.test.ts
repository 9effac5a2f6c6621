/**
 * report.html and results/index.html from real drills, rendered in real Chromium in Japanese and
 * English: no console errors, no network, hostile file names shown as text, overdue systems marked,
 * a screenshot of each page, and an A4 PDF from the print styles.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Browser, pngSize } from '../helpers/browser.ts';
import { HOSTILE_NAME, makeWorld, shareScenario, type World } from '../helpers/evidence-world.ts';

describe('integration: report.html and index.html in Chromium', function () {
  let world: World;
  let browser: Browser;
  let shots: string;
  const reports: Record<string, string> = {};

  async function lastReport(scenario: string): Promise<string> {
    const dir = path.join(world.results, scenario);
    const runs = (await readdir(dir)).sort();
    return path.join(dir, runs[runs.length - 1]!, 'report.html');
  }

  async function screenshot(page: import('playwright-core').Page, name: string): Promise<void> {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const bytes = await readFile(file);
    const { width, height } = pngSize(bytes);
    assert.ok(width >= 1000 && height >= 600, `${name}.png is ${width}x${height}`);
    assert.ok(bytes.length > 20_000, `${name}.png is only ${bytes.length} bytes: the page looks empty`);
  }

  before(async function () {
    world = await makeWorld();
    shots = process.env.RESTORE_DRILL_SCREENSHOTS ?? path.join(world.root, 'screenshots');
    await mkdir(shots, { recursive: true });
    assert.equal((await world.run(['keys', 'init'])).code, 0);
    const ready = await world.scenario('share-ready', shareScenario({ readiness: true }));
    const damaged = await world.scenario('share-damaged', shareScenario({ damaged: true, system: '医事会計 <billing> & "co"' }));
    const stale = await world.scenario('share-stale', shareScenario({ interval: '7d' }));
    const run = (file: string, lang: string, env: NodeJS.ProcessEnv = {}) => world.run(['run', file, '--results', world.results, '--sandbox', 'local', '--lang', lang], env);
    assert.equal((await run(ready, 'ja')).code, 0);
    assert.equal((await run(ready, 'ja')).code, 0);
    assert.equal((await run(damaged, 'en')).code, 1);
    assert.equal((await run(stale, 'en')).code, 0);
    // The language follows the locale when --lang is not given.
    const byLocale = await world.run(['run', ready, '--results', world.results, '--sandbox', 'local'], { LANG: 'ja_JP.UTF-8' });
    assert.equal(byLocale.code, 0, byLocale.stderr);
    reports.ja = await lastReport('share-ready');
    reports.en = await lastReport('share-damaged');
    // As of ten days from now: share-stale (7d interval) is overdue, share-ready (31d default) is not.
    const at = new Date(Date.now() + 10 * 86_400_000).toISOString();
    assert.equal((await world.run(['report', world.results, '--lang', 'ja', '--at', at])).code, 0);
    const en = await world.run(['report', world.results, '--lang', 'en', '--at', at, '-o', path.join(world.results, 'index-en.html')]);
    assert.equal(en.code, 0, en.stderr);
    assert.match(en.stdout, /3 systems, overdue: share-damaged, share-stale/);
    browser = await Browser.launch();
  });

  after(async function () {
    await browser?.[Symbol.asyncDispose]();
    await world?.dispose();
  });

  it('the locale chooses the language when --lang is not given', async function () {
    assert.match(await readFile(reports.ja!, 'utf8'), /<html lang="ja">/);
  });

  it('report.html in Japanese: verdict first, targets, checks, evidence verified, controls mapped', async function () {
    const { page, problems } = await browser.open(reports.ja!);
    assert.deepEqual(problems, []);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const firstSection = await page.locator('main > section').first().getAttribute('id');
    assert.equal(firstSection, 'verdict');
    assert.match(await page.locator('#verdict').innerText(), /PASS\s+目標時間内に復元・検証・稼働確認ができました/);
    assert.match(await page.locator('#rto').innerText(), /目標 5m · ✔ 目標内/);
    assert.match(await page.locator('#rpo').innerText(), /目標 1000d/);
    assert.equal(await page.locator('#evidence-status').getAttribute('data-state'), 'verified');
    assert.match(await page.locator('#evidence-status').innerText(), /このシナリオの 3 回目/);
    const controls = await page.locator('#compliance tr[data-control]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-control')));
    assert.ok(controls.includes('nist-csf2-rc.rp-05'), 'readiness checks passed, so RC.RP-05 maps');
    assert.ok(controls.includes('iso27001-2022-a.5.30'), 'the RTO target was met, so A.5.30 maps');
    assert.match(await page.locator('#limits').innerText(), /証明|示しません/);
    await screenshot(page, 'report-ja');
    await page.close();
  });

  it('report.html in English for a FAIL: the hostile file name is text, nothing maps, the limits are stated', async function () {
    const { page, problems } = await browser.open(reports.en!);
    assert.deepEqual(problems, []);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.locator('#verdict').innerText(), /FAIL\s+The backup did not restore correctly/);
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('main img').count(), 0);
    assert.match(await page.title(), /医事会計 <billing> & "co"/);
    const findings = await page.locator('.check table').innerText();
    assert.ok(findings.includes(HOSTILE_NAME), `the finding names the changed file as text:\n${findings}`);
    assert.equal(await page.locator('#compliance tr[data-control]').count(), 0);
    assert.match(await page.locator('#compliance-none').innerText(), /only a drill that restored correctly maps/);
    assert.match(await page.locator('#limits').innerText(), /does not prove that the backup copies are really offline/);
    await screenshot(page, 'report-en');
    // The print styles give A4 pages.
    const pdf = await page.pdf({ preferCSSPageSize: true });
    assert.match(pdf.toString('latin1'), /\/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]/);
    await page.close();
  });

  it('index.html in both languages: one row per system, overdue systems marked, an RTO plot per system', async function () {
    for (const [lang, file] of [['ja', 'index.html'], ['en', 'index-en.html']] as const) {
      const { page, problems } = await browser.open(path.join(world.results, file));
      assert.deepEqual(problems, []);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      const rows = await page.locator('#systems tr[data-scenario]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-scenario'), tr.getAttribute('data-overdue')]));
      assert.deepEqual(rows, [
        ['share-damaged', 'yes'],
        ['share-ready', 'no'],
        ['share-stale', 'yes'],
      ]);
      const stale = page.locator('tr[data-scenario="share-stale"]');
      assert.match(await stale.innerText(), lang === 'ja' ? /期限超過/ : /OVERDUE/);
      assert.equal(await stale.locator('td').nth(4).innerText(), '10', 'days since the last PASS, as of --at');
      const ready = page.locator('tr[data-scenario="share-ready"]');
      assert.equal(await ready.locator('svg circle.rto-point').count(), 3, 'one point per drill');
      assert.equal(await ready.locator('svg line.rto-target').count(), 1, 'the RTO target line');
      assert.match(await ready.locator('a').getAttribute('href') ?? '', /^share-ready\/.+\/report\.html$/);
      assert.equal(await ready.locator('td.evidence').getAttribute('data-evidence'), 'verified');
      assert.match(await ready.locator('td.evidence').innerText(), lang === 'ja' ? /署名済み 3 回分を検証/ : /3 signed runs verified, chain intact/);
      await screenshot(page, `index-${lang}`);
      await page.close();
    }
  });

  it('marks a system whose evidence fails verification in the index', async function () {
    const copy = path.join(world.root, 'results-tampered');
    await cp(world.results, copy, { recursive: true });
    const runs = (await readdir(path.join(copy, 'share-ready'))).sort();
    const file = path.join(copy, 'share-ready', runs[0]!, 'result.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"verdict": "PASS"', '"verdict": "PASS" '));
    const out = await world.run(['report', copy, '--lang', 'en']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /evidence FAILED verification: share-ready/);
    const { page, problems } = await browser.open(path.join(copy, 'index.html'));
    assert.deepEqual(problems, []);
    const cell = page.locator('tr[data-scenario="share-ready"] td.evidence');
    assert.equal(await cell.getAttribute('data-evidence'), 'failed');
    assert.match(await cell.innerText(), new RegExp(`${runs[0]}: result.json was changed after it was signed`));
    assert.equal(await page.locator('tr[data-scenario="share-damaged"] td.evidence').getAttribute('data-evidence'), 'verified');
    await page.close();
  });

  it('escapes untrusted text in the index too', async function () {
    const text = await readFile(path.join(world.results, 'index.html'), 'utf8');
    assert.ok(!text.includes('<billing>'));
    assert.ok(text.includes('医事会計 &lt;billing&gt; &amp; &quot;co&quot;'));
  });

  it('lists a results file it cannot read instead of failing', async function () {
    const broken = path.join(world.results, 'share-ready', 'zz-broken');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'result.json'), '{ not json');
    const out = await world.run(['report', world.results, '-o', path.join(world.root, 'index-broken.html')]);
    assert.equal(out.code, 0);
    assert.match(out.stderr, /left out share-ready\/zz-broken\/result.json/);
  });
});

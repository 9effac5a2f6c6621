/**
 * screen.text: OCR by the real tesseract on PNGs made here (text in a bitmap font), the cleaning of
 * its untrusted output, and the ERROR naming the packages when tesseract is missing. The screen
 * check runs against a stand-in machine whose screendump writes such a PNG (no guest boots here;
 * the integration test reads a real guest's console).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../harness/clock.ts';
import { ocrClean, OCR_TEXT_LIMIT, recogniseText } from '../../harness/checks/ocr.ts';
import { ScreenCheck } from '../../harness/checks/screen.ts';
import type { CheckContext } from '../../harness/checks/check.ts';
import { DrillError } from '../../harness/errors.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { screenCheckSchema } from '../../harness/scenario/vm-schema.ts';
import { VmSandbox } from '../../harness/sandboxes/vm/vm-sandbox.ts';
import { runProcess } from '../../harness/sandboxes/process.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { textPng } from '../helpers/png.ts';
import { sampleResult } from '../helpers/results.ts';
import { renderReport } from '../../harness/reporters/html/report-page.ts';

async function hasTesseract(): Promise<boolean> {
  return (await runProcess('/bin/sh', ['-c', 'command -v tesseract'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 5000 })).exitCode === 0;
}

/** A vm sandbox whose machine's screen shows `text`: screendump writes it as a PNG. */
function screenShowing(text: string, logDir: string): VmSandbox {
  const machine = { screendump: async (file: string) => writeFile(file, textPng(text, 2)) };
  return Object.assign(Object.create(VmSandbox.prototype) as VmSandbox, { logDir, machine: async () => machine });
}

describe('unit: screen.text (OCR with tesseract)', function () {
  this.timeout(60_000);
  let dir: string;
  let pool: HashPool;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'rd-ocr-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));
  before(() => (pool = new HashPool()));
  after(async () => pool.close());

  const context = (sandbox: VmSandbox): CheckContext => ({ sandbox, pool, clock: systemClock, signal: new AbortController().signal, onProgress: () => undefined });

  it('reads the text on a PNG made by code', async function () {
    if (!(await hasTesseract())) skipBecause(this, 'tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-jpn)');
    const png = path.join(dir, 'screen.png');
    await writeFile(png, textPng('KENSA LOGIN OK', 2));
    assert.match(await recogniseText(png), /LOGIN/);
  });

  it('the screen check passes when OCR reads the text, and fails naming what it read, with the screenshot kept', async function () {
    if (!(await hasTesseract())) skipBecause(this, 'tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-jpn)');
    const logDir = path.join(dir, 'logs');
    const passed = await new ScreenCheck(screenCheckSchema.parse({ text: '/LOG ?IN/' })).run(context(screenShowing('KENSA LOGIN OK', logDir)));
    assert.equal(passed.status, 'pass', passed.summary);
    assert.equal(passed.details?.screenshot, path.join('logs', 'screen-ready.png'));
    assert.match(passed.details?.ocrText ?? '', /LOGIN/);
    const failed = await new ScreenCheck(screenCheckSchema.parse({ text: 'READY', until: '1s' })).run(context(screenShowing('KENSA LOGIN OK', logDir)));
    assert.equal(failed.status, 'fail');
    assert.equal(failed.findings[0]?.rule, 'text-not-on-screen');
    assert.match(failed.findings[0]!.message, /OCR did not read READY on the screen within 1(\.00)?s .*it read '.*LOGIN/);
    assert.equal(failed.details?.screenshot, path.join('logs', 'screen-ready.png'));
  });

  it('without tesseract: an ERROR naming the Debian packages, not a FAIL', async () => {
    const png = path.join(dir, 'screen.png');
    await writeFile(png, textPng('OK', 2));
    await assert.rejects(recogniseText(png, { path: dir }), (err: unknown) => err instanceof DrillError && err.code === 'OCR_TOOL_MISSING' && err.kind === 'infrastructure' && /tesseract-ocr and tesseract-ocr-jpn/.test(err.message));
  });

  it('its output is untrusted: control characters dropped, Japanese re-joined, cut', () => {
    assert.equal(ocrClean('\u001b[31mkensa01 login:\u0007 _\r\n\n\n'), '[31mkensa01 login: _');
    assert.equal(ocrClean('検 査 依 頼 5 件\n'), '検査依頼 5 件');
    assert.equal(ocrClean('x'.repeat(OCR_TEXT_LIMIT * 3)).length, OCR_TEXT_LIMIT);
  });
});

describe('unit: report.html shows the text OCR read, escaped', () => {
  it('beside the screenshot, as text (the guest\'s screen may show markup)', () => {
    const screen = { kind: 'screen' as const, name: 'the screen shows login:', phase: 'ready' as const, status: 'pass' as const, summary: 'read', findings: [], findingCount: 0, durationMs: 900, details: { screenshot: 'logs/screen-ready.png', text: 'login:', ocrText: 'kensa01 login: <script>alert(1)</script>', attempts: 1 } };
    const page = renderReport(sampleResult({ checks: [screen] }), { lang: 'en', evidence: { state: 'none' } });
    assert.match(page, /<img class="screenshot" src="logs\/screen-ready.png"/);
    assert.match(page, /kensa01 login: &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page, /<script>alert/);
  });
});

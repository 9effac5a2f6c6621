/**
 * screen: a screenshot of the ready machine, kept in the results folder and shown in report.html;
 * with `text`, OCR (ocr.ts) must read that text on it before the deadline, for black boxes where
 * nothing else can be asked. A new screenshot is taken for each attempt; the last one is kept.
 */
import path from 'node:path';
import type { ScreenCheckSpec } from '../scenario/vm-schema.ts';
import { formatDuration } from '../units.ts';
import { checkResult, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';
import { screenshot, until, vmOf } from './machine-wait.ts';
import { recogniseText, type OcrOptions } from './ocr.ts';
import { textMatcher } from './text-match.ts';

export class ScreenCheck implements Check<'screen'> {
  readonly kind = 'screen';
  readonly phase = 'ready';
  readonly name: string;
  private readonly spec: ScreenCheckSpec;
  private readonly ocr: OcrOptions;

  constructor(spec: ScreenCheckSpec, ocr: OcrOptions = {}) {
    this.spec = spec;
    this.ocr = ocr;
    this.name = spec.name ?? (spec.text ? `the screen shows ${spec.text}` : 'a screenshot of the ready machine');
  }

  async run(context: CheckContext): Promise<CheckResultOf<'screen'>> {
    const started = context.clock.monotonic();
    const vm = vmOf(context.sandbox, 'screen');
    const machine = await vm.machine();
    const take = () => screenshot(vm, machine, 'ready');
    if (this.spec.text === undefined) {
      const file = await take();
      return checkResult(this, context.clock, {
        findings: file ? [] : [noScreen],
        passed: `kept in ${file}`,
        startedAt: started,
        details: { screenshot: file },
      });
    }
    const matcher = textMatcher(this.spec.text);
    let attempts = 0;
    let file: string | undefined;
    let ocrText: string | undefined;
    const seen = await until(this.spec.until, context.signal, async () => {
      attempts++;
      file = await take();
      if (!file) return false;
      ocrText = await recogniseText(path.join(path.dirname(vm.logDir), file), { ...this.ocr, signal: context.signal });
      return matcher.test(ocrText) || undefined;
    });
    const findings: Finding[] = !file ? [noScreen] : seen ? [] : [{ rule: 'text-not-on-screen', message: `OCR did not read ${this.spec.text} on the screen within ${formatDuration(this.spec.until)} (${attempts} screenshot${attempts === 1 ? '' : 's'}): it read ${quoted(ocrText)}`, expected: this.spec.text }];
    return checkResult(this, context.clock, {
      findings,
      passed: `OCR read ${this.spec.text} on the screen (${file})`,
      startedAt: started,
      details: { screenshot: file, text: this.spec.text, ocrText, attempts },
    });
  }
}

const noScreen: Finding = { rule: 'no-screen', message: 'QEMU could not take a screenshot: the machine had ended' };

function quoted(text: string | undefined): string {
  if (!text) return 'nothing';
  const line = text.replace(/\s+/g, ' ').trim();
  return `'${line.length > 200 ? `${line.slice(0, 200)}…` : line}'`;
}

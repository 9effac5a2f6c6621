/** Writes report.html beside result.json, once the evidence reporter has said what became of evidence.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Reporter } from '../reporter.ts';
import type { Lang } from './lang.ts';
import { renderReport } from './report-page.ts';

export const REPORT_FILE = 'report.html';

export function htmlReporter(options: { lang: Lang }): Reporter {
  return {
    name: 'html',
    'evidence:end': async ({ result, evidence }) => {
      await mkdir(result.resultsDir, { recursive: true });
      await writeFile(path.join(result.resultsDir, REPORT_FILE), renderReport(result, { lang: options.lang, evidence }));
    },
  };
}

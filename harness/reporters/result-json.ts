/** Writes results/<scenario>/<run-id>/result.json: the complete record of a drill. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../drill/result.ts';
import type { Reporter } from './reporter.ts';

export function resultJsonReporter(): Reporter {
  return {
    name: 'result-json',
    'drill:end': async ({ result }) => {
      await mkdir(result.resultsDir, { recursive: true });
      await writeFile(path.join(result.resultsDir, 'result.json'), serializeResult(result));
    },
  };
}

export function serializeResult(result: DrillResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}

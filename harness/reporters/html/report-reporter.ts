/** Writes report.html beside result.json, after evidence.json, whose signature status it shows. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EVIDENCE_FILE } from '../../evidence/chain.ts';
import type { SigningKey } from '../../evidence/keys.ts';
import { verifyEvidenceFile } from '../../evidence/verify.ts';
import { SUBJECT } from '../../evidence/statement.ts';
import type { DrillResult } from '../../drill/result.ts';
import type { Reporter } from '../reporter.ts';
import type { Lang } from './lang.ts';
import { renderReport, type EvidenceStatus } from './report-page.ts';

export const REPORT_FILE = 'report.html';

export function htmlReporter(options: { lang: Lang; signingKey?: SigningKey }): Reporter {
  return {
    name: 'html',
    'drill:end': async ({ result }) => {
      const evidence = await evidenceStatus(result, options.signingKey);
      await mkdir(result.resultsDir, { recursive: true });
      await writeFile(path.join(result.resultsDir, REPORT_FILE), renderReport(result, { lang: options.lang, evidence }));
    },
  };
}

/** Verifies this run's evidence.json with the signer's public key, for the report to show. */
export async function evidenceStatus(result: DrillResult, key: SigningKey | undefined): Promise<EvidenceStatus> {
  const file = path.join(result.resultsDir, EVIDENCE_FILE);
  const present = await readFile(file).then(() => true, () => false);
  if (!present || !key) return { state: 'none' };
  const report = await verifyEvidenceFile(file, [key.publicKey]);
  if (!report.ok || !report.statement) return { state: 'failed', problems: report.problems };
  const { chain } = report.statement.predicate;
  return {
    state: 'verified',
    keyid: report.keyid!,
    sequence: chain.sequence,
    previous: chain.previous?.runId ?? null,
    resultSha256: report.statement.subject.find((s) => s.name === SUBJECT.result)?.digest.sha256 ?? '',
  };
}

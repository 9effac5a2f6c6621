/** Writes a plan run's files into its folder: plan.json, its signed and chained evidence.json, and report.html. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SigningKey } from '../evidence/keys.ts';
import { failedStatus, type EvidenceStatus } from '../evidence/status.ts';
import type { Lang } from '../reporters/html/lang.ts';
import { renderPlanReport } from '../reporters/html/plan-page.ts';
import { REPORT_FILE } from '../reporters/html/report-reporter.ts';
import { writePlanEvidence } from './evidence.ts';
import type { PlanResult } from './result.ts';

export const PLAN_FILE = 'plan.json';

export async function writePlanFiles(result: PlanResult, options: { lang: Lang; signingKey?: SigningKey }): Promise<void> {
  await mkdir(result.resultsDir, { recursive: true });
  await writeFile(path.join(result.resultsDir, PLAN_FILE), `${JSON.stringify(result, null, 2)}\n`);
  let evidence: EvidenceStatus = { state: 'none' };
  let failure: unknown;
  if (options.signingKey) {
    try {
      evidence = await writePlanEvidence(result, options.signingKey);
    } catch (err) {
      evidence = failedStatus(err);
      failure = err;
    }
  }
  const links = await reportLinks(result);
  await writeFile(path.join(result.resultsDir, REPORT_FILE), renderPlanReport(result, { lang: options.lang, evidence, links }));
  if (failure) throw failure;
}

/** Each system's own report.html, relative to the plan's folder (so the tree can be copied whole). */
async function reportLinks(result: PlanResult): Promise<Record<string, string | undefined>> {
  const links: Record<string, string | undefined> = {};
  for (const s of result.systems) {
    const report = path.join(s.resultsDir, REPORT_FILE);
    const there = await stat(report).then((st) => st.isFile(), () => false);
    links[s.name] = there ? path.relative(result.resultsDir, report).split(path.sep).join('/') : undefined;
  }
  return links;
}

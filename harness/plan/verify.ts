/**
 * `evidence verify` of a plan run's evidence.json (plan/evidence.ts): besides the envelope and signature
 * (checked as for a drill), that it lies in its plan's folder under its run id, that plan.json is the one
 * signed, and that each system's evidence.json it names is still there with the digest signed. A
 * system's run is looked for where the plan's folder is (results/<scenario>/<run-id>/ beside
 * results/_plan.<plan>/), so a copied results tree verifies as well as the original.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EVIDENCE_FILE } from '../evidence/chain.ts';
import { sha256Hex } from '../evidence/digest.ts';
import { PLAN_SUBJECT, type PlanStatement } from './evidence.ts';
import { PLAN_FILE } from './write.ts';
import { planFolder } from './result.ts';

export async function planStatementProblems(statement: PlanStatement, file: string): Promise<string[]> {
  const problems: string[] = [];
  const { plan } = statement.predicate;
  const runDir = path.dirname(file);
  const tree = path.dirname(path.dirname(runDir));
  if (path.basename(runDir) !== plan.runId) problems.push(`records plan run ${plan.runId} but lies in the folder ${path.basename(runDir)}: it was moved or swapped with another run's`);
  if (path.basename(path.dirname(runDir)) !== planFolder(plan.plan.name)) problems.push(`records plan ${plan.plan.name} but lies under ${path.basename(path.dirname(runDir))}/, not ${planFolder(plan.plan.name)}/`);
  const bound = statement.subject.find((s) => s.name === PLAN_SUBJECT.result)?.digest.sha256;
  const actual = await readFile(path.join(runDir, PLAN_FILE)).then(sha256Hex, () => undefined);
  if (!bound) problems.push('has no plan.json subject, so plan.json is not bound to it');
  else if (actual === undefined) problems.push(`binds ${path.join(path.basename(runDir), PLAN_FILE)}, which is missing`);
  else if (actual !== bound) problems.push(`plan.json was changed after it was signed: its sha256 is ${actual}, the signed evidence records ${bound}`);
  for (const system of plan.systems) {
    const signed = statement.subject.find((s) => s.name === PLAN_SUBJECT.systemEvidence(system.name))?.digest.sha256;
    if (!signed) continue;
    const [folder, run] = [path.basename(path.dirname(String(system.resultsDir))), path.basename(String(system.resultsDir))];
    // From the payload, which may be forged: only a folder name, never a way out of the tree.
    if ([folder, run].some((name) => name === '' || name === '.' || name === '..')) {
      problems.push(`names the results folder of system ${system.name} as ${JSON.stringify(system.resultsDir)}, which is no run folder`);
      continue;
    }
    const where = path.join(folder, run, EVIDENCE_FILE);
    const now = await readFile(path.join(tree, where)).then(sha256Hex, () => undefined);
    if (now === undefined) problems.push(`names the evidence of system ${system.name} (${where}), which is not in ${tree}: that drill's record was removed`);
    else if (now !== signed) problems.push(`names the evidence of system ${system.name} (${where}) with sha256 ${signed}, but it now has sha256 ${now}: it was replaced after the plan ran`);
  }
  return problems;
}

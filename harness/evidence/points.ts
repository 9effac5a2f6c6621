/**
 * `evidence points SCENARIO`: every restore point of a scenario's backup with the runs that proved it,
 * each run's evidence verified where it is signed, so an auditor can ask "was the point we would
 * restore today ever tested?". Points drilled once but no longer in the backup are listed too.
 */
import type { KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { proves, readResults, runsByPoint } from '../drill/history.ts';
import type { DrillResult, Verdict } from '../drill/result.ts';
import type { RestorePoint } from '../sources/source.ts';
import { EVIDENCE_FILE } from './chain.ts';
import { SUBJECT } from './statement.ts';
import { verifyEvidenceFile } from './verify.ts';

/** verified: signed and checked; failed: signed, but it does not verify; unsigned: no evidence.json; unchecked: no public key given. */
export type EvidenceState = 'verified' | 'failed' | 'unsigned' | 'unchecked';

export interface PointRun {
  runId: string;
  startedAt: string;
  verdict: Verdict;
  evidence: EvidenceState;
  problems: string[];
  /** The restore point's digest as the signed evidence binds it (sha256), when it does. */
  pointSha256?: string;
}

export interface PointProofs {
  id: string;
  /** Absent for a point drilled once but no longer in the backup. */
  time?: string;
  inBackup: boolean;
  /** Oldest first. */
  runs: PointRun[];
  /** A run proved it (PASS or LATE) and its signed evidence verified. */
  provenBySignedEvidence: boolean;
}

export async function pointProofs(input: { scenario: string; points: RestorePoint[]; resultsRoot: string; keys?: KeyObject[] }): Promise<PointProofs[]> {
  const { results } = await readResults(input.resultsRoot, { scenario: input.scenario });
  const byPoint = runsByPoint(results);
  const listed: PointProofs[] = [];
  const entry = async (id: string, point?: RestorePoint): Promise<PointProofs> => {
    const runs = await Promise.all((byPoint.get(id) ?? []).map((r) => pointRun(r, input.keys)));
    return { id, time: point?.time.toISOString(), inBackup: point !== undefined, runs, provenBySignedEvidence: runs.some((r) => r.evidence === 'verified' && proves(r.verdict)) };
  };
  for (const point of input.points) listed.push(await entry(point.id, point));
  const current = new Set(input.points.map((p) => p.id));
  for (const id of [...byPoint.keys()].filter((id) => !current.has(id)).sort()) listed.push(await entry(id));
  return listed;
}

async function pointRun(result: DrillResult, keys: KeyObject[] | undefined): Promise<PointRun> {
  const run: PointRun = { runId: result.runId, startedAt: result.startedAt, verdict: result.verdict, evidence: 'unsigned', problems: [] };
  const file = path.join(result.resultsDir, EVIDENCE_FILE);
  if (!(await stat(file).then((s) => s.isFile(), () => false))) return run;
  if (!keys) return { ...run, evidence: 'unchecked' };
  const report = await verifyEvidenceFile(file, keys);
  const signed = report.statement?.predicate.result;
  // What the signature vouches for, when it verified: not the result.json beside it.
  if (report.ok && signed) {
    const digest = report.statement!.subject.find((s) => s.name === SUBJECT.restorePoint(signed.restorePoint?.id ?? ''))?.digest.sha256;
    return { ...run, verdict: signed.verdict, startedAt: signed.startedAt, evidence: 'verified', pointSha256: digest };
  }
  return { ...run, evidence: 'failed', problems: report.problems };
}

/** The listing as an operator or auditor reads it. */
export function describePointProofs(scenario: string, proofs: PointProofs[], keysFrom: string[] | undefined): string {
  const inBackup = proofs.filter((p) => p.inBackup);
  const signed = proofs.filter((p) => p.provenBySignedEvidence).length;
  const lines = [
    `${scenario}: ${inBackup.length} restore point${inBackup.length === 1 ? '' : 's'} in the backup, ${inBackup.filter((p) => p.runs.length > 0).length} drilled, ${signed} proven by verified signed evidence`,
    keysFrom ? `evidence verified with ${keysFrom.join(', ')}` : 'no public key (pass --key or run restore-drill keys init): signed evidence is listed but not verified',
  ];
  for (const point of proofs) {
    const head = `${point.id}  ${point.time ?? '(no longer in the backup)'}`;
    if (point.runs.length === 0) {
      lines.push(`${head}  never drilled`);
      continue;
    }
    lines.push(`${head}  ${point.provenBySignedEvidence ? 'PROVEN' : 'not proven by signed evidence'}`);
    for (const run of point.runs) {
      const digest = run.pointSha256 ? `, point sha256:${run.pointSha256.slice(0, 16)}` : '';
      lines.push(`    ${run.startedAt}  ${run.verdict}  run ${run.runId}  evidence ${run.evidence}${digest}`);
      for (const problem of run.problems) lines.push(`      FAIL ${problem}`);
    }
  }
  return lines.join('\n') + '\n';
}

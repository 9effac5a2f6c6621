/**
 * `evidence verify`: checks each evidence.json (envelope, signature, statement, the result.json it
 * binds) and each scenario's chain (every link names the run before it, by digest). Every problem is a
 * sentence naming the file, what was expected and what was found.
 */
import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { errorMessage } from '../errors.ts';
import type { AnchorRead } from './anchor.ts';
import { checkAgainstAnchor, type AnchorCheck } from './anchor-check.ts';
import { EVIDENCE_FILE, runFolders } from './chain.ts';
import { digestOfRestorePoint, sha256Hex } from './digest.ts';
import { asEnvelope, verifyEnvelope } from './dsse.ts';
import { asStatement, PAYLOAD_TYPE, SUBJECT, type DrillStatement } from './statement.ts';
import { asPlanStatement, type PlanStatement } from '../plan/evidence.ts';
import { planStatementProblems } from '../plan/verify.ts';

export interface FileReport {
  file: string;
  ok: boolean;
  problems: string[];
  /** Present when the payload could be read (even if the signature failed). */
  statement?: DrillStatement;
  /** Instead of statement, for the evidence of a plan run (plan/evidence.ts). */
  plan?: PlanStatement;
  /** sha256 of the evidence.json bytes: what the next run's link names. */
  sha256: string;
  keyid?: string;
  /** Things worth knowing that are not failures (a backup rotated out since the drill). */
  notes: string[];
}

export interface VerifyOptions {
  /** Also digest each restore point where the drill found it, and compare with the signed digest. */
  backups?: boolean;
  /** The anchor to check against; without one, the report says what the files alone cannot show. */
  anchor?: AnchorRead;
}

export interface ChainReport {
  scenarioDir: string;
  runs: number;
  head?: { runId: string; sha256: string };
  problems: string[];
  warnings: string[];
}

export interface VerifyReport {
  ok: boolean;
  files: FileReport[];
  chains: ChainReport[];
  anchor?: AnchorCheck;
  /** Without an anchor: the properties that were not checked. */
  unchecked: string[];
}

export const UNCHECKED_WITHOUT_ANCHOR = [
  'without an anchor (--anchor FILE), it cannot be checked that the newest runs of a scenario were not removed: each chain head is only the newest run still here',
  'nor that all the evidence of a scenario (or its whole folder) was not removed: a run without evidence.json and no signed run before it looks the same as a run without a signing key',
];

export async function verifyEvidenceFile(file: string, trusted: KeyObject[], options: VerifyOptions = {}): Promise<FileReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { file, ok: false, problems: [`cannot be read: ${errorMessage(err)}`], sha256: '', notes };
  }
  const report: FileReport = { file, ok: false, problems, sha256: sha256Hex(bytes), notes };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    problems.push(`is not valid JSON (${errorMessage(err)})`);
    return report;
  }
  const envelope = asEnvelope(json);
  if (typeof envelope === 'string') {
    problems.push(`is not a DSSE envelope: ${envelope}`);
    return report;
  }
  if (envelope.payloadType !== PAYLOAD_TYPE) problems.push(`has payloadType ${JSON.stringify(envelope.payloadType)}, expected ${PAYLOAD_TYPE}`);
  const signature = verifyEnvelope(envelope, trusted);
  if (signature.ok) report.keyid = signature.keyid;
  else problems.push(`signature: ${signature.problem}`);

  let statement: DrillStatement | string;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    statement = asStatement(payload);
  } catch (err) {
    statement = `the payload is not JSON (${errorMessage(err)})`;
  }
  const plan = asPlanStatement(payload);
  if (plan !== undefined) {
    if (typeof plan === 'string') problems.push(plan);
    else problems.push(...(await planStatementProblems(plan, file)));
    if (typeof plan !== 'string') report.plan = plan;
    report.ok = problems.length === 0;
    return report;
  }
  if (typeof statement === 'string') {
    problems.push(statement);
    return report;
  }
  report.statement = statement;
  const { result } = statement.predicate;
  const runDir = path.dirname(file);
  if (path.basename(runDir) !== result.runId) {
    problems.push(`records run ${result.runId} but lies in the folder ${path.basename(runDir)}: it was moved or swapped with another run's`);
  }
  if (path.basename(path.dirname(runDir)) !== result.scenario.name) {
    problems.push(`records scenario ${result.scenario.name} but lies under ${path.basename(path.dirname(runDir))}/`);
  }
  const bound = statement.subject.find((s) => s.name === SUBJECT.result)?.digest.sha256;
  if (!bound) problems.push('has no result.json subject, so result.json is not bound to it');
  else {
    const resultFile = path.join(runDir, 'result.json');
    const actual = await readFile(resultFile).then(sha256Hex, () => undefined);
    if (actual === undefined) problems.push(`binds ${path.join(path.basename(runDir), 'result.json')}, which is missing`);
    else if (actual !== bound) {
      problems.push(`result.json was changed after it was signed: its sha256 is ${actual}, the signed evidence records ${bound}`);
    }
  }
  if (options.backups) await checkBackup(statement, problems, notes);
  report.ok = problems.length === 0;
  return report;
}

/** Digests the restore point where the drill found it and compares it with the signed subject. */
async function checkBackup(statement: DrillStatement, problems: string[], notes: string[]): Promise<void> {
  const point = statement.predicate.result.restorePoint;
  if (!point) return;
  const signed = statement.subject.find((s) => s.name === SUBJECT.restorePoint(point.id))?.digest;
  if (!signed) {
    notes.push(`the restore point ${point.id} has no signed digest`);
    return;
  }
  let actual: Record<string, string>;
  try {
    const now = await digestOfRestorePoint(point);
    if (!now.fromFiles || !now.digest) {
      notes.push(`the ${point.sourceKind} restore point ${point.id} is named by its id${now.digest ? ' (its digest)' : ''}; it was not read again`);
      return;
    }
    actual = now.digest;
  } catch (err) {
    notes.push(`the backup ${point.location} drilled then is not there now (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}): rotated out or moved`);
    return;
  }
  for (const [algorithm, value] of Object.entries(signed)) {
    if (actual[algorithm] !== undefined && actual[algorithm] !== value) {
      problems.push(`the backup ${point.location} has ${algorithm} ${actual[algorithm]} now, but the drill restored ${algorithm} ${value}: the backup changed after the drill`);
    }
  }
}

/** Verifies files, run folders, scenario folders or whole results trees. */
export async function verifyPaths(paths: string[], trusted: KeyObject[], options: VerifyOptions = {}): Promise<VerifyReport> {
  const evidenceFiles = new Set<string>();
  const scenarioDirs = new Set<string>();
  const trees = new Set<string>();
  for (const given of paths) {
    const absolute = path.resolve(given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) {
      evidenceFiles.add(absolute);
      continue;
    }
    if (info.isFile()) {
      evidenceFiles.add(absolute);
      continue;
    }
    // A run folder: its evidence only. A scenario folder or a results tree: every evidence and chain under it.
    if (await stat(path.join(absolute, EVIDENCE_FILE)).then(() => true, () => false)) {
      evidenceFiles.add(path.join(absolute, EVIDENCE_FILE));
      continue;
    }
    const found = await fg(['**/result.json', `**/${EVIDENCE_FILE}`], { cwd: absolute, absolute: true, deep: 3, ignore: ['**/logs/**'] });
    // A results tree: every scenario the anchor names must be in it. (A run folder without evidence is neither.)
    if (found.includes(path.join(absolute, 'result.json'))) continue;
    const anchored = options.anchor?.entries.some((e) => e.scenario === path.basename(absolute));
    if (!found.some((f) => path.dirname(path.dirname(f)) === absolute) && !(found.length === 0 && anchored)) trees.add(absolute);
    else scenarioDirs.add(absolute);
    for (const f of found) {
      const scenarioDir = path.dirname(path.dirname(f));
      if (path.relative(absolute, scenarioDir).startsWith('..')) continue;
      scenarioDirs.add(scenarioDir);
      if (path.basename(f) === EVIDENCE_FILE) evidenceFiles.add(f);
    }
  }
  const files: FileReport[] = [];
  for (const f of [...evidenceFiles].sort()) files.push(await verifyEvidenceFile(f, trusted, options));
  const chains: ChainReport[] = [];
  for (const dir of [...scenarioDirs].sort()) chains.push(await verifyChain(dir, files.filter((f) => path.dirname(path.dirname(f.file)) === dir)));
  const anchor = options.anchor && (await checkAgainstAnchor(options.anchor, { trees: [...trees], scenarioDirs: [...scenarioDirs], files, chains }));
  const ok = files.length > 0 && files.every((f) => f.ok) && chains.every((c) => c.problems.length === 0) && (anchor?.problems.length ?? 0) === 0;
  return { ok, files, chains, anchor, unchecked: anchor ? [] : UNCHECKED_WITHOUT_ANCHOR };
}

/** Per scenario folder: verified (with its chain), or the problems found. For the index page. */
export function summarizeByScenario(report: VerifyReport): Map<string, ScenarioEvidence> {
  const summary = new Map<string, ScenarioEvidence>();
  for (const chain of report.chains) {
    const files = report.files.filter((f) => path.dirname(path.dirname(f.file)) === chain.scenarioDir);
    const problems = [...files.flatMap((f) => f.problems.map((p) => `${path.basename(path.dirname(f.file))}: ${p}`)), ...chain.problems];
    const name = path.basename(chain.scenarioDir);
    if (files.length === 0) summary.set(name, { state: 'unsigned' });
    else if (problems.length > 0) summary.set(name, { state: 'failed', problems });
    else summary.set(name, { state: 'verified', runs: chain.runs, head: chain.head! });
  }
  return summary;
}

export type ScenarioEvidence =
  | { state: 'verified'; runs: number; head: { runId: string; sha256: string } }
  | { state: 'failed'; problems: string[] }
  | { state: 'unsigned' };

/** Checks the links of one scenario's runs, in run order. */
async function verifyChain(scenarioDir: string, reports: FileReport[]): Promise<ChainReport> {
  const chain: ChainReport = { scenarioDir, runs: 0, problems: [], warnings: [] };
  const byRun = new Map(reports.map((r) => [path.basename(path.dirname(r.file)), r]));
  const runs = await runFolders(scenarioDir);
  let previous: { runId: string; report: FileReport } | undefined;
  for (const runId of runs) {
    const report = byRun.get(runId);
    const where = `${path.basename(scenarioDir)}/${runId}`;
    if (!report) {
      const isRecord = (name: string) => stat(path.join(scenarioDir, runId, name)).then(() => true, () => false);
      const record = (await isRecord('result.json')) ? 'result.json' : (await isRecord('plan.json')) ? 'plan.json' : undefined;
      if (!record) continue;
      if (previous) chain.problems.push(`${where} has a ${record} but no evidence.json, after signed runs began (at ${previous.runId}): its evidence was removed, or it ran without the signing key`);
      else chain.warnings.push(`${where} is not signed, and no signed run comes before it in ${path.basename(scenarioDir)}/: it ran without a signing key, or its evidence was removed; the files alone cannot tell which`);
      continue;
    }
    chain.runs++;
    const link = report.statement?.predicate.chain ?? report.plan?.predicate.chain;
    if (!link) {
      previous = { runId, report };
      continue;
    }
    if (!previous) {
      if (link.previous) {
        const gone = !runs.includes(link.previous.runId);
        chain.problems.push(
          gone
            ? `${where} names the run before it, ${link.previous.runId} (evidence sha256 ${link.previous.digest.sha256}), which is not in ${path.basename(scenarioDir)}/: that run was removed`
            : `${where} names ${link.previous.runId} as the run before it, but that run has no evidence.json: its evidence was removed`,
        );
      }
    } else if (!link.previous) {
      chain.problems.push(`${where} starts a new chain although ${previous.runId} before it is signed: the chain was cut, so runs before it could be removed unnoticed`);
    } else if (link.previous.runId !== previous.runId) {
      const named = runs.includes(link.previous.runId) ? `${link.previous.runId}, which is not the run just before it (${previous.runId}): runs were reordered, or a run was inserted` : `${link.previous.runId}, which is not in ${path.basename(scenarioDir)}/: that run was removed`;
      chain.problems.push(`${where} names as the run before it ${named}`);
    } else if (link.previous.digest.sha256 !== previous.report.sha256) {
      chain.problems.push(`${where} recorded the evidence of ${previous.runId} with sha256 ${link.previous.digest.sha256}, but that evidence.json now has sha256 ${previous.report.sha256}: it was edited or replaced after ${runId} ran`);
    }
    const previousLink = previous?.report.statement?.predicate.chain ?? previous?.report.plan?.predicate.chain;
    const expected = previousLink ? previousLink.sequence + 1 : undefined;
    if (expected !== undefined && link.sequence !== expected && link.previous?.runId === previous?.runId) {
      chain.problems.push(`${where} is number ${link.sequence} in the chain, expected ${expected}`);
    }
    previous = { runId, report };
  }
  if (previous) chain.head = { runId: previous.runId, sha256: previous.report.sha256 };
  return chain;
}

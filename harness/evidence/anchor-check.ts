/**
 * `evidence verify` against the anchor: every anchored run of the scenarios verified must still have its
 * evidence.json, with the digest the anchor recorded; each scenario's newest anchored run must be its
 * chain's head; a run here that the anchor does not name, although it ran after the anchor began, is a
 * problem. Runs are matched by scenario name and run id (an auditor's copy of the results lies elsewhere).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AnchorEntry, AnchorRead } from './anchor.ts';
import { runFolders } from './chain.ts';
import type { ChainReport, FileReport } from './verify.ts';

export interface AnchorCheck {
  file: string;
  lines: number;
  /** The scenarios whose every anchored run was looked for. */
  scenarios: string[];
  problems: string[];
  warnings: string[];
}

export interface AnchorScope {
  /** Results trees given: every scenario the anchor names must have its folder in them. */
  trees: string[];
  scenarioDirs: string[];
  files: FileReport[];
  chains: ChainReport[];
}

export async function checkAgainstAnchor(anchor: AnchorRead, scope: AnchorScope): Promise<AnchorCheck> {
  const check: AnchorCheck = { file: anchor.file, lines: anchor.lines, scenarios: [], problems: [...anchor.problems], warnings: [] };
  const byScenario = new Map<string, AnchorEntry[]>();
  for (const entry of anchor.entries) byScenario.set(entry.scenario, [...(byScenario.get(entry.scenario) ?? []), entry]);
  const dirs = new Set(scope.scenarioDirs);
  for (const tree of scope.trees) {
    for (const [name, entries] of byScenario) {
      const dir = path.join(tree, name);
      if (dirs.has(dir)) continue;
      if (await isFolder(dir)) dirs.add(dir);
      else check.problems.push(`the anchor records ${entries.length} signed run${entries.length === 1 ? '' : 's'} of ${name} (${linesOf(entries)}, the newest ${entries.at(-1)!.runId}), but ${tree} has no ${name}/ folder: all of its results were removed`);
    }
  }
  const began = anchor.entries[0];
  for (const dir of [...dirs].sort()) {
    const name = path.basename(dir);
    check.scenarios.push(name);
    const files = scope.files.filter((f) => path.dirname(path.dirname(f.file)) === dir);
    await checkScenario(dir, byScenario.get(name) ?? [], files, scope.chains.find((c) => c.scenarioDir === dir), began, check);
  }
  for (const file of scope.files.filter((f) => !dirs.has(path.dirname(path.dirname(f.file))))) checkFile(file, anchor.entries, began, check);
  return check;
}

async function checkScenario(dir: string, entries: AnchorEntry[], files: FileReport[], chain: ChainReport | undefined, began: AnchorEntry | undefined, check: AnchorCheck): Promise<void> {
  const name = path.basename(dir);
  const byRun = new Map(files.map((f) => [path.basename(path.dirname(f.file)), f]));
  const runs = await runFolders(dir);
  for (const entry of entries) {
    const report = byRun.get(entry.runId);
    const where = `${name}/${entry.runId} is in the anchor (line ${entry.line}, signed run ${entry.sequence}, ${entry.time})`;
    if (!runs.includes(entry.runId)) check.problems.push(`${where} but is not in ${name}/: the run was removed`);
    else if (!report) {
      const hasResult = await isFile(path.join(dir, entry.runId, 'result.json'));
      check.problems.push(`${where} but its evidence.json is gone${hasResult ? ' while its result.json is there: the evidence was removed' : ', and so is its result.json: they were removed'}`);
    } else if (report.sha256 !== entry.evidence.sha256) {
      check.problems.push(`${name}/${entry.runId}/evidence.json has sha256 ${report.sha256}, but the anchor recorded ${entry.evidence.sha256} (line ${entry.line}): it was replaced after the run`);
    }
  }
  const newest = entries.at(-1);
  const head = chain?.head?.runId;
  if (newest && head !== newest.runId) {
    const found = !head ? `${name}/ has no signed run left` : `the chain in ${name}/ ends at ${head}: ${head > newest.runId ? 'the runs after it are not anchored' : 'the runs after it were removed'}`;
    check.problems.push(`the newest anchored run of ${name} is ${newest.runId} (line ${newest.line}), but ${found}`);
  }
  const anchored = new Set(entries.map((e) => e.runId));
  for (const runId of runs) {
    if (anchored.has(runId)) continue;
    const signed = byRun.has(runId);
    if (!signed && !(await isFile(path.join(dir, runId, 'result.json')))) continue;
    notAnchored(`${name}/${runId}`, runId, signed ? 'signed' : 'not signed (a result.json without evidence.json)', began, check);
  }
}

/** An evidence file given on its own: its scenario's other runs are not looked for. */
function checkFile(file: FileReport, entries: AnchorEntry[], began: AnchorEntry | undefined, check: AnchorCheck): void {
  const runId = path.basename(path.dirname(file.file));
  const name = path.basename(path.dirname(path.dirname(file.file)));
  const entry = entries.find((e) => e.scenario === name && e.runId === runId);
  if (!entry) notAnchored(`${name}/${runId}`, runId, 'signed', began, check);
  else if (entry.evidence.sha256 !== file.sha256) {
    check.problems.push(`${name}/${runId}/evidence.json has sha256 ${file.sha256}, but the anchor recorded ${entry.evidence.sha256} (line ${entry.line}): it was replaced after the run`);
  }
}

function notAnchored(where: string, runId: string, what: string, began: AnchorEntry | undefined, check: AnchorCheck): void {
  if (!began) check.problems.push(`${where} is ${what}, but the anchor has no line at all: it was emptied, or this run was anchored elsewhere`);
  else if (runId > began.runId) {
    check.problems.push(`${where} is ${what} but not in the anchor, although it ran after the anchor began (${began.runId}, line ${began.line}): the anchor's end was cut, the run was anchored elsewhere, or it was not written by a signed run`);
  } else check.warnings.push(`${where} ran before the anchor began (${began.runId}, by its folder name), so the anchor cannot vouch for it`);
}

function linesOf(entries: AnchorEntry[]): string {
  const numbers = entries.map((e) => e.line);
  if (numbers.length === 1) return `line ${numbers[0]}`;
  const contiguous = numbers.at(-1)! - numbers[0]! === numbers.length - 1;
  return `lines ${contiguous ? `${numbers[0]}-${numbers.at(-1)}` : numbers.join(', ')}`;
}

const isFolder = (p: string) => stat(p).then((s) => s.isDirectory(), () => false);
const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);

/** Reads a plan file: positioned like a scenario, its systems' after lists and scenario files checked. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ScenarioError, type ScenarioProblem } from '../errors.ts';
import { loadScenarios } from '../cli/scenario-files.ts';
import { digestOf, parsePositioned, type ProblemAt } from '../scenario/load.ts';
import type { Scenario } from '../scenario/load.ts';
import { sizeProblem } from '../scenario/yaml-limits.ts';
import { findCycle } from './order.ts';
import { planSchema, type PlanSpec, type PlanSystemSpec } from './schema.ts';

export interface PlanSystem extends PlanSystemSpec {
  /** Index of its group: the priority (0 first). */
  group: number;
  scenarioFile: string;
  loaded: Scenario;
}

export interface Plan {
  file: string;
  displayPath: string;
  digest: string;
  spec: PlanSpec;
  /** Every system, in plan order (groups, then as written). */
  systems: PlanSystem[];
}

export async function loadPlan(file: string): Promise<Plan> {
  const absolute = path.resolve(file);
  const displayPath = path.relative(process.cwd(), absolute) || absolute;
  const fileProblem = (message: string) => new ScenarioError([{ file: displayPath, line: 1, column: 1, field: '', message }]);
  const tooBig = await sizeProblem(absolute, 'plan file');
  if (tooBig) throw fileProblem(tooBig);
  const bytes = await readFile(absolute).catch((err: NodeJS.ErrnoException) => {
    throw fileProblem(`cannot read the plan: ${err.code === 'ENOENT' ? 'no such file' : String(err)}`);
  });
  const { data: spec, problemAt } = parsePositioned(bytes.toString('utf8'), displayPath, planSchema);
  const located = spec.groups.flatMap((group, g) => group.systems.map((system, s) => ({ system, g, s })));
  const problems = structureProblems(spec, located, problemAt);
  if (problems.length > 0) throw new ScenarioError(problems);
  const systems = await loadSystemScenarios(located, path.dirname(absolute), problemAt);
  return { file: absolute, displayPath, digest: digestOf(bytes), spec, systems };
}

type Located = { system: PlanSystemSpec; g: number; s: number };

/** Duplicate names, after naming no system, cycles, targets of milestones no system has. */
function structureProblems(spec: PlanSpec, located: Located[], problemAt: ProblemAt): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const at = (l: Located, ...rest: (string | number)[]) => ['groups', l.g, 'systems', l.s, ...rest];
  const names = new Set<string>();
  for (const l of located) {
    if (names.has(l.system.name)) problems.push(problemAt(at(l, 'name'), `the system '${l.system.name}' is named twice in this plan; system names must be unique`));
    names.add(l.system.name);
  }
  for (const l of located) {
    l.system.after.forEach((dep, i) => {
      if (!names.has(dep)) problems.push(problemAt(at(l, 'after', i), `no system of this plan is named '${dep}' (the systems are: ${[...names].join(', ')})`));
      else if (dep === l.system.name) problems.push(problemAt(at(l, 'after', i), `a system cannot wait for itself`));
    });
  }
  for (const l of located) {
    l.system.reach.forEach((dep, i) => {
      if (!l.system.after.includes(dep)) problems.push(problemAt(at(l, 'reach', i), `${l.system.name} can reach only a system it waits for: add '${dep}' to its after list (its sandbox must be up first)`));
    });
  }
  const cycle = findCycle(located.map((l) => l.system));
  if (cycle && cycle.length > 2) {
    const first = located.find((l) => l.system.name === cycle[0])!;
    problems.push(problemAt(at(first, 'after'), `these systems wait for each other, so none could start: ${cycle.join(' → ')}; remove one of these after entries`));
  }
  const milestones = new Set(located.map((l) => l.system.milestone).filter((m) => m !== undefined));
  for (const name of Object.keys(spec.targets.milestones)) {
    if (!milestones.has(name)) problems.push(problemAt(['targets', 'milestones', name], `no system of this plan has the milestone '${name}' (write it as a system's milestone, or remove this target)`, true));
  }
  return problems;
}

/** Every system's scenario, loaded and checked like run's (a missing file is positioned at the plan's field). */
async function loadSystemScenarios(located: Located[], dir: string, problemAt: ProblemAt): Promise<PlanSystem[]> {
  const problems: ScenarioProblem[] = [];
  const files = located.map((l) => path.resolve(dir, l.system.scenario));
  for (const [i, file] of files.entries()) {
    const readable = await readFile(file).then(() => true, () => false);
    if (!readable) problems.push(problemAt(['groups', located[i]!.g, 'systems', located[i]!.s, 'scenario'], `no scenario file at ${path.relative(process.cwd(), file) || file} (the path is relative to the plan file)`));
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  const unique = [...new Set(files)];
  const scenarios = await loadScenarios(unique, { references: true });
  const byFile = new Map(scenarios.map((s) => [s.file, s]));
  return located.map((l, i) => ({ ...l.system, group: l.g, scenarioFile: files[i]!, loaded: byFile.get(files[i]!)! }));
}

/** Turns the command line's SCENARIO|DIR|GLOB arguments into scenario files, loaded and validated. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { ScenarioError, UsageError, type ScenarioProblem } from '../errors.ts';
import { loadScenario, type Scenario } from '../scenario/load.ts';
import { checkReferences } from '../scenario/references.ts';

import { DEFAULT_SCENARIOS } from './defaults.ts';

/** Folders a scenario search skips: packages, and recovery plans (plan files beside the scenarios they drill). */
const NOT_SCENARIOS = ['**/node_modules/**', '**/plans/**'];

export async function findScenarioFiles(args: string[]): Promise<string[]> {
  const patterns = args.length > 0 ? args : [DEFAULT_SCENARIOS];
  const files = new Set<string>();
  for (const arg of patterns) {
    const info = await stat(arg).catch(() => undefined);
    const matches = info?.isFile()
      ? [arg]
      : await fg(info?.isDirectory() ? `${fg.convertPathToPattern(arg)}/**/*.y{a,}ml` : arg, { onlyFiles: true, ignore: NOT_SCENARIOS });
    if (matches.length === 0) throw new UsageError(`no scenario file matches '${arg}'`);
    for (const match of matches.sort()) files.add(path.resolve(match));
  }
  return [...files];
}

/** Loads every scenario; all problems of all files are gathered into one ScenarioError. */
export async function loadScenarios(files: string[], options: { references: boolean }): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  const problems: ScenarioProblem[] = [];
  for (const file of files) {
    try {
      const scenario = await loadScenario(file);
      if (options.references) problems.push(...(await checkReferences(scenario)));
      scenarios.push(scenario);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      problems.push(...err.problems);
    }
  }
  const names = new Map<string, Scenario>();
  for (const scenario of scenarios) {
    const other = names.get(scenario.spec.name);
    if (other) problems.push(scenario.problemAt(['name'], `the name '${scenario.spec.name}' is also used by ${other.displayPath}; names must be unique (they name the results folder)`));
    names.set(scenario.spec.name, scenario);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return scenarios;
}

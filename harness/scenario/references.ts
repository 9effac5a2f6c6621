/** Reference checks: the files a scenario names exist. Run by `validate` and before drills. */
import { access } from 'node:fs/promises';
import fg from 'fast-glob';
import type { ScenarioProblem } from '../errors.ts';
import { expandPattern } from '../sources/path-source.ts';
import type { Scenario } from './load.ts';

export async function checkReferences(scenario: Scenario): Promise<ScenarioProblem[]> {
  const problems: ScenarioProblem[] = [];
  const { source, expect, secrets } = scenario.spec;
  const sourcePath = scenario.resolve(source.path);
  const found = fg.isDynamicPattern(sourcePath) ? (await expandPattern(sourcePath)).length > 0 : await exists(sourcePath);
  if (!found) problems.push(scenario.problemAt(['source', 'path'], `${sourcePath} matches nothing${hint(sourcePath)}`));
  if (expect.files && !(await exists(scenario.resolve(expect.files.manifest)))) {
    const manifest = scenario.resolve(expect.files.manifest);
    problems.push(scenario.problemAt(['expect', 'files', 'manifest'], `${manifest} does not exist${hint(manifest)}`));
  }
  for (const [name, ref] of Object.entries(secrets)) {
    if (ref.file !== undefined && !(await exists(scenario.resolve(ref.file)))) {
      problems.push(scenario.problemAt(['secrets', name, 'file'], `the secret file ${scenario.resolve(ref.file)} does not exist`));
    }
  }
  return problems;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

function hint(file: string): string {
  return /[\\/]demo[\\/]/.test(file) ? ' (the demo data is made by "npm run demo")' : '';
}

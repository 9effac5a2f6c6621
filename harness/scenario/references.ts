/** Reference checks: the files a scenario names exist. Run by `validate` and before drills. */
import { access } from 'node:fs/promises';
import fg from 'fast-glob';
import type { ScenarioProblem } from '../errors.ts';
import { isManifestTemplate, templateFolder } from '../manifest/manifest-template.ts';
import { expandPattern } from '../sources/path-source.ts';
import type { Scenario } from './load.ts';

export async function checkReferences(scenario: Scenario): Promise<ScenarioProblem[]> {
  const problems: ScenarioProblem[] = [];
  const { source, expect, secrets } = scenario.spec;
  const inner = source.kind === 'pgdump' && source.from ? source.from : source;
  const sourceField = inner === source ? ['source'] : ['source', 'from'];
  // A copy reached by access steps (a USB disk mounted, a window opened) is not there before they run.
  const offline = scenario.spec.access !== undefined && 'steps' in scenario.spec.access;
  if (offline) {
    // checked when the drill reads it, after the access phase
  } else if ('repository' in inner) {
    const repository = scenario.resolve(inner.repository);
    if (!(await exists(repository))) problems.push(scenario.problemAt([...sourceField, 'repository'], `${repository} does not exist${hint(repository)}`));
    if (inner.password_file !== undefined && !(await exists(scenario.resolve(inner.password_file)))) {
      problems.push(scenario.problemAt([...sourceField, 'password_file'], `the password file ${scenario.resolve(inner.password_file)} does not exist`));
    }
  } else if ('path' in inner && inner.path !== undefined) {
    const sourcePath = scenario.resolve(inner.path);
    const found = fg.isDynamicPattern(sourcePath) ? (await expandPattern(sourcePath)).length > 0 : await exists(sourcePath);
    if (!found) problems.push(scenario.problemAt([...sourceField, 'path'], `${sourcePath} matches nothing${hint(sourcePath)}`));
  }
  for (const [index, check] of (expect.sql ?? []).entries()) {
    if (check.rows_file !== undefined && !(await exists(scenario.resolve(check.rows_file)))) {
      problems.push(scenario.problemAt(['expect', 'sql', index, 'rows_file'], `${scenario.resolve(check.rows_file)} does not exist`));
    }
  }
  for (const [index, check] of (expect.text ?? []).entries()) {
    if (!(await exists(scenario.resolve(check.expected)))) {
      problems.push(scenario.problemAt(['expect', 'text', index, 'expected'], `${scenario.resolve(check.expected)} does not exist${hint(scenario.resolve(check.expected))}`));
    }
  }
  const manifest = expect.files?.manifest;
  // A manifest inside the backup is found in the restored point; a template's file, once the point is known.
  if (typeof manifest === 'string') {
    const template = isManifestTemplate(manifest);
    const file = scenario.resolve(template ? templateFolder(manifest) : manifest);
    if (!(await exists(file))) {
      problems.push(scenario.problemAt(['expect', 'files', 'manifest'], `${template ? `the folder ${file} of the template ${manifest}` : file} does not exist${hint(file)}`));
    }
  }
  const indicators = expect.ransomware?.indicators;
  for (const [i, file] of (indicators === undefined ? [] : Array.isArray(indicators) ? indicators : [indicators]).entries()) {
    if (await exists(scenario.resolve(file))) continue;
    const field = Array.isArray(indicators) ? ['expect', 'ransomware', 'indicators', i] : ['expect', 'ransomware', 'indicators'];
    problems.push(scenario.problemAt(field, `the indicators file ${scenario.resolve(file)} does not exist`));
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

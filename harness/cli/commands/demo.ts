import { cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Verdict } from '../../drill/result.ts';
import type { EngineDemoPlan } from '../../demo/engines.ts';
import type { PlanResult } from '../../plan/result.ts';
import { sandboxChoice } from './run.ts';

const REPO = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The bundled demo scenarios and the verdict each is built to give. */
export const DEMO_SCENARIOS: Record<string, Verdict> = {
  'share-nightly': 'PASS',
  'share-snapshot': 'PASS',
  'share-damaged': 'FAIL',
  'share-tight-rto': 'LATE',
};

/** The demos of real engines (restic, borg, PostgreSQL, Orthanc), run where their tools are: see demo/engines.ts. */
export const ENGINE_DEMO_SCENARIOS: Record<string, Verdict> = {
  referrals: 'PASS',
  billing: 'PASS',
  pacs: 'PASS',
  'pacs-sample': 'PASS',
  'lab-vm': 'PASS',
  'lab-vm-damaged': 'FAIL',
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('make the demo data (a department file share and its backups; where Docker or borg are here, restic, borg, PostgreSQL and Orthanc backups) under demo/, then drill the bundled demo scenarios')
    .option('--sandbox <driver>', 'auto, local or docker', 'auto')
    .option('--dir <dir>', 'where the demo works (its data, a copy of the bundled scenarios, its results); default: the checkout itself, or ./restore-drill-demo for an installed copy')
    .option('--results <dir>', 'folder for results (default: results/ in the demo folder)')
    .option('--no-run', 'only make the demo data')
    .action(async (flags: { sandbox: string; dir?: string; results?: string; run: boolean }) => {
      const base = await demoFolder(flags.dir);
      const root = path.join(base, 'demo');
      const scenariosDir = path.join(base, 'scenarios');
      const results = flags.results ?? path.join(base, 'results');
      process.stderr.write(`making the demo data in ${path.relative(process.cwd(), root) || root} ...\n`);
      const { generateDemo } = await import('../../demo/generate.ts');
      await generateDemo(root);
      const { generateEngineDemos } = await import('../../demo/engines.ts');
      const engines = await generateEngineDemos(root, { sandbox: flags.sandbox });
      if (!flags.run) return;
      const files = Object.keys(DEMO_SCENARIOS).map((name) => path.join(scenariosDir, `${name}.yaml`));
      const { runCommand } = await import('../run-command.ts');
      const outcome = await runCommand({ scenarios: files, sandbox: sandboxChoice(flags.sandbox), results, parallel: 1 });
      const drilled = [...outcome.results];
      for (const sandbox of ['docker', 'local', 'vm'] as const) {
        const names = engines.ready.filter((demo) => demo.sandbox === sandbox).flatMap((demo) => demo.scenarios);
        if (names.length === 0) continue;
        process.stdout.write(`\nThe demos of real backup engines (${sandbox} sandbox):\n`);
        const more = await runCommand({ scenarios: names.map((name) => path.join(scenariosDir, `${name}.yaml`)), sandbox: sandboxChoice(sandbox), results, parallel: 1 });
        drilled.push(...more.results);
      }
      const plans = await runDemoPlans(engines, scenariosDir, results);
      const expected: Record<string, Verdict> = { ...DEMO_SCENARIOS, ...ENGINE_DEMO_SCENARIOS };
      // A drill whose checks all passed must also have proven that they can fail.
      const surprises = drilled.filter((r) => expected[r.scenario.name] !== r.verdict || (r.verdict !== 'FAIL' && r.negativeControl?.status !== 'passed'));
      process.stdout.write('\nThe demo drills are built to give PASS, PASS, FAIL (a flipped byte) and LATE (a too-tight RTO); referrals, billing, pacs and pacs-sample (with its RTO forecast) PASS; lab-vm (a VM) PASSes and lab-vm-damaged FAILs at boot; the plan hospital PASSes, and hospital-broken FAILs with billing not drilled (it waits for the damaged share).\n');
      for (const line of plans.skipped) process.stdout.write(`skipped ${line}\n`);
      for (const line of engines.skipped) process.stdout.write(`skipped ${line}\n`);
      for (const r of surprises) process.stdout.write(`UNEXPECTED: ${r.scenario.name} gave ${r.verdict} (negative control ${r.negativeControl?.status}), built to give ${expected[r.scenario.name]} with its negative control passed\n`);
      for (const line of plans.surprises) process.stdout.write(`UNEXPECTED: ${line}\n`);
      process.stdout.write(surprises.length + plans.surprises.length === 0 ? 'Every demo drill that ran gave the verdict it was built to give, and every negative control that ran passed.\n' : '');
      process.exitCode = surprises.length + plans.surprises.length === 0 ? 0 : 1;
    });
}

/** The demo plans (scenarios/plans/), in the docker sandbox, where the demos of their systems are ready there. */
async function runDemoPlans(engines: EngineDemoPlan, scenariosDir: string, results: string): Promise<{ surprises: string[]; skipped: string[] }> {
  const { DEMO_PLANS, DEMO_PLAN_SYSTEMS, planSurprises } = await import('../../demo/plans.ts');
  const names = Object.keys(DEMO_PLANS);
  const inDocker = engines.ready.filter((demo) => demo.sandbox === 'docker').flatMap((demo) => demo.scenarios);
  const missing = DEMO_PLAN_SYSTEMS.filter((name) => !inDocker.includes(name));
  if (missing.length > 0) return { surprises: [], skipped: [`the plans ${names.join(' and ')}: they need the ${missing.join(' and ')} demo${missing.length === 1 ? '' : 's'} in the docker sandbox (see above)`] };
  const { planRunCommand } = await import('../plan-command.ts');
  const plans: PlanResult[] = [];
  for (const name of names) {
    process.stdout.write(`\nThe demo plan ${name} (docker sandbox):\n`);
    const outcome = await planRunCommand({ plan: path.join(scenariosDir, 'plans', `${name}.yaml`), sandbox: sandboxChoice('docker'), results, parallel: 2 });
    plans.push(outcome.plan);
  }
  return { surprises: planSurprises(plans), skipped: [] };
}

/**
 * Where the demo works. A checkout is its own place; an installed copy's folder (under node_modules,
 * often root's) is not the user's to write in, so the demo works in a folder of theirs, with a copy of
 * the bundled scenarios beside its data (their paths to ../demo/ then hold there too).
 */
async function demoFolder(dir: string | undefined): Promise<string> {
  const installed = REPO.split(path.sep).includes('node_modules');
  const base = dir !== undefined ? path.resolve(dir) : installed ? path.resolve('restore-drill-demo') : REPO;
  if (base !== REPO) await cp(path.join(REPO, 'scenarios'), path.join(base, 'scenarios'), { recursive: true, force: true });
  return base;
}

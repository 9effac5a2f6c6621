import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Verdict } from '../../drill/result.ts';

const REPO = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The bundled demo scenarios and the verdict each is built to give. */
export const DEMO_SCENARIOS: Record<string, Verdict> = {
  'share-nightly': 'PASS',
  'share-snapshot': 'PASS',
  'share-damaged': 'FAIL',
  'share-tight-rto': 'LATE',
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('make the demo data (a department file share and its backups) under demo/, then drill the bundled demo scenarios')
    .option('--sandbox <driver>', 'auto, local or docker', 'auto')
    .option('--results <dir>', 'folder for results', path.join(REPO, 'results'))
    .option('--no-run', 'only make the demo data')
    .action(async (flags: { sandbox: string; results: string; run: boolean }) => {
      const root = path.join(REPO, 'demo');
      process.stderr.write(`making the demo data in ${path.relative(process.cwd(), root) || root} ...\n`);
      const { generateDemo } = await import('../../demo/generate.ts');
      await generateDemo(root);
      if (!flags.run) return;
      const files = Object.keys(DEMO_SCENARIOS).map((name) => path.join(REPO, 'scenarios', `${name}.yaml`));
      const { runCommand } = await import('../run-command.ts');
      const outcome = await runCommand(files, { sandbox: flags.sandbox, results: flags.results, parallel: '1' });
      const surprises = outcome.results.filter((r) => DEMO_SCENARIOS[r.scenario.name] !== r.verdict);
      process.stdout.write('\nThe demo drills are built to give PASS, PASS, FAIL (a flipped byte) and LATE (a too-tight RTO).\n');
      for (const r of surprises) process.stdout.write(`UNEXPECTED: ${r.scenario.name} gave ${r.verdict}, built to give ${DEMO_SCENARIOS[r.scenario.name]}\n`);
      process.stdout.write(surprises.length === 0 ? 'Every demo drill gave the verdict it was built to give.\n' : '');
      process.exitCode = surprises.length === 0 ? 0 : 1;
    });
}

import type { Command } from 'commander';
import { EXIT_HELP, runRequest, type RunFlags } from './run.ts';

/** The same flags as run's. */
type PlanFlags = RunFlags;

export function registerPlan(program: Command): void {
  const plan = program.command('plan').description('recovery plans: restore a hospital\'s systems in the order of its BCP, and time its milestones');
  plan
    .command('run')
    .description('drill the systems of a plan file in order (a system after those it waits for, independent ones at once up to --parallel); write results/<plan>/<run-id>/plan.json')
    .argument('<plan>', 'the plan file (YAML)')
    .option('--sandbox <driver>', 'where to restore: auto, local, docker or vm', 'auto')
    .option('--results <dir>', 'folder for results', 'results')
    .option('--point <id>', 'restore point to drill in every system (as for run)')
    .option('--seed <n>', 'the seed of a random-within choice (as for run)')
    .option('--parallel <n>', 'systems to drill at once', '1')
    .option('--json', 'print one JSON document with all drill results on stdout instead of the console display')
    .option('--lang <lang>', 'language of the reports: ja or en')
    .option('--unsafe-local', 'as for run')
    .option('--metrics <file>', 'also write Prometheus textfile metrics to this file')
    .addHelpText('after', EXIT_HELP)
    .action(async (file: string, flags: PlanFlags) => {
      const { planRunCommand } = await import('../plan-command.ts');
      const outcome = await planRunCommand({ ...runRequest([], flags), plan: file });
      process.exitCode = outcome.exitCode;
    });
  for (const command of [plan, ...plan.commands]) command.exitOverride();
}

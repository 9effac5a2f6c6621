import type { Command } from 'commander';
import { EXIT_HELP, withDrillOptions, type RunFlags } from './run.ts';

/** The same flags as run's. */
type PlanFlags = RunFlags;

export function registerPlan(program: Command): void {
  const plan = program.command('plan').description('recovery plans: restore a hospital\'s systems in the order of its BCP, and time its milestones');
  const run = plan
    .command('run')
    .description('drill the systems of a plan file in order (a system after those it waits for, independent ones at once up to --parallel); write results/_plan.<plan>/<run-id>/ (plan.json, report.html, evidence.json)')
    .argument('<plan>', 'the plan file (YAML)');
  withDrillOptions(run, 'systems')
    .addHelpText('after', EXIT_HELP)
    .action(async (file: string, flags: PlanFlags) => {
      const [{ planRunCommand }, { runRequest }] = await Promise.all([import('../plan-command.ts'), import('../run-request.ts')]);
      const outcome = await planRunCommand({ ...runRequest([], flags), plan: file });
      process.exitCode = outcome.exitCode;
    });
  for (const command of [plan, ...plan.commands]) command.exitOverride();
}

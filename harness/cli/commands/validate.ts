import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check scenario files (schema, and that the files they name exist) without running anything')
    .argument('<files...>', 'scenario files, folders or glob patterns')
    .action(async (args: string[]) => {
      const { findScenarioFiles, loadScenarios } = await import('../scenario-files.ts');
      const scenarios = await loadScenarios(await findScenarioFiles(args), { references: true });
      for (const scenario of scenarios) process.stdout.write(`ok  ${scenario.displayPath} (${scenario.spec.name})\n`);
    });
}

import type { Command } from 'commander';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editors: a "# yaml-language-server: $schema=FILE" line at the top of a scenario)')
    .action(async () => {
      const { scenarioJsonSchemaText } = await import('../../scenario/json-schema.ts');
      process.stdout.write(scenarioJsonSchemaText());
    });
}

/**
 * scan: the ransomware indicators for one restore point, without a full drill.
 * find-clean: the newest point on which no indicator fires, and what ruled out each newer one.
 * The work is loaded on demand (scan-command.ts), so that other commands start fast.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { SANDBOX_CHOICES } from '../../sandboxes/choices.ts';
import { sandboxChoice } from './run.ts';

interface ScanFlags {
  point: string;
  sandbox: string;
  results: string;
  json?: boolean;
}

interface FindCleanFlags {
  sandbox: string;
  results: string;
  drill?: boolean;
  json?: boolean;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('restore one point into a throwaway sandbox and look for ransomware indicators (exit 1 when any fires)')
    .argument('<scenario>', 'a scenario file (its expect.ransomware settings are used, or the defaults)')
    .option('--point <id>', 'restore point to scan: an id (or a unique prefix), at:<time>, or latest', 'latest')
    .option('--sandbox <driver>', `where to restore: ${SANDBOX_CHOICES.join(', ')} (auto takes vm for a scenario with sandbox.kind: vm)`, 'auto')
    .option('--results <dir>', 'folder for the sandbox logs', 'results')
    .option('--json', 'print the check result as JSON')
    .action(async (file: string, flags: ScanFlags) => {
      const [{ scanCommand }, { parsePointSelector }] = await Promise.all([import('../scan-command.ts'), import('../../sources/source.ts')]);
      const point = parsePointSelector(flags.point);
      if (point === 'newest-clean') throw new UsageError('scan takes a point id or latest; use find-clean to look for the newest clean point');
      if (typeof point === 'object' && 'randomWithin' in point) throw new UsageError('scan takes a point id, at:<time> or latest; "restore-drill points" lists the ids');
      process.exitCode = await scanCommand({ scenario: file, sandbox: sandboxChoice(flags.sandbox), results: flags.results, json: flags.json, point });
    });
}

export function registerFindClean(program: Command): void {
  program
    .command('find-clean')
    .description('walk the restore points newest to oldest and name the newest one on which no ransomware indicator fires')
    .argument('<scenario>', 'a scenario file')
    .option('--drill', 'then run the full drill on that point')
    .option('--sandbox <driver>', `where to restore: ${SANDBOX_CHOICES.join(', ')} (auto takes vm for a scenario with sandbox.kind: vm)`, 'auto')
    .option('--results <dir>', 'folder for results and sandbox logs', 'results')
    .option('--json', 'print the search as JSON')
    .addHelpText('after', "\nWith --drill, the search is printed on stderr and stdout is the drill's (its console display, or its JSON with --json).")
    .action(async (file: string, flags: FindCleanFlags) => {
      const { findCleanCommand } = await import('../scan-command.ts');
      process.exitCode = await findCleanCommand({ scenario: file, sandbox: sandboxChoice(flags.sandbox), results: flags.results, json: flags.json, drill: flags.drill });
    });
}

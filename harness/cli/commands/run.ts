import path from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../clock.ts';
import { runScenarios, type RunOutcome } from '../../drill/run.ts';
import { UsageError } from '../../errors.ts';
import { REPORTERS, FILE_REPORTERS, ReporterMultiplexer } from '../../reporters/index.ts';
import { chooseDriver, SANDBOX_CHOICES } from '../../sandboxes/index.ts';
import { parsePointSelector } from '../../sources/source.ts';
import { onInterrupt } from '../interrupt.ts';
import { DEFAULT_SCENARIOS, findScenarioFiles, loadScenarios } from '../scenario-files.ts';

export interface RunFlags {
  sandbox: string;
  results: string;
  point?: string;
  parallel: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run restore drills: restore each scenario\'s backup into a throwaway sandbox, verify it, time it, write results')
    .argument('[scenarios...]', `scenario files, folders or glob patterns (default: ${DEFAULT_SCENARIOS})`)
    .option('--sandbox <driver>', `where to restore: ${SANDBOX_CHOICES.join(', ')} (auto takes docker when an engine answers, else local)`, 'auto')
    .option('--results <dir>', 'folder for results (<dir>/<scenario>/<run-id>/)', 'results')
    .option('--point <id>', "restore point to drill: latest, an id (or a unique prefix), at:<time> for the newest at or before it, or newest-clean (the newest on which no ransomware indicator fires; default: the scenario's source.point, else latest)")
    .option('--parallel <n>', 'drills to run at once', '1')
    .option('--json', 'print one JSON document with all results on stdout instead of the console display')
    .addHelpText('after', EXIT_HELP)
    .action(async (args: string[], flags: RunFlags) => {
      const outcome = await runCommand(args, flags);
      process.exitCode = outcome.exitCode;
    });
}

export async function runCommand(args: string[], flags: RunFlags): Promise<RunOutcome> {
  const parallel = Number(flags.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a whole number of 1 or more, got '${flags.parallel}'`);
  const scenarios = await loadScenarios(await findScenarioFiles(args), { references: false });
  const chosen = await chooseDriver(flags.sandbox);
  const reporters = [flags.json ? REPORTERS.json!() : REPORTERS.console!(), ...FILE_REPORTERS.map((name) => REPORTERS[name]!())];
  const multiplexer = new ReporterMultiplexer(reporters, (name, err) => process.stderr.write(`restore-drill: the ${name} reporter failed and was left out: ${String(err)}\n`));
  const interrupt = onInterrupt();
  try {
    if (chosen.note && !flags.json) process.stderr.write(`restore-drill: ${chosen.note}\n`);
    const outcome = await runScenarios(scenarios, {
      driver: chosen.driver,
      resultsRoot: path.resolve(flags.results),
      point: flags.point === undefined ? undefined : parsePointSelector(flags.point),
      parallel,
      clock: systemClock,
      signal: interrupt.signal,
      emit: multiplexer.emit,
      notes: chosen.note ? [chosen.note] : [],
    });
    return { ...outcome, exitCode: interrupt.exitCode() ?? outcome.exitCode };
  } finally {
    interrupt.dispose();
  }
}

export const EXIT_HELP = `
Exit codes:
  0   every drill PASSed (restored, intact, ready, within RTO and RPO)
  1   some drill FAILed (the backup did not restore correctly)
  2   some drill was LATE (correct, but over its RTO or RPO target) and none failed
  3   some drill ended in ERROR (the harness, the host or the sandbox failed, not the backup)
  64  bad command line
  65  invalid scenario file
  130/143 interrupted by Ctrl-C / SIGTERM (sandboxes are removed first)
With several drills, the first that applies in the order 1, 3, 2, 0.`;

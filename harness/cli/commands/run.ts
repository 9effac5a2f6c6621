import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { SANDBOX_CHOICES, type SandboxChoice } from '../../sandboxes/choices.ts';
import { DEFAULT_SCENARIOS } from '../defaults.ts';

/** The run command's flags as commander gives them: strings, parsed by runRequest. */
export interface RunFlags {
  sandbox: string;
  results: string;
  point?: string;
  seed?: string;
  parallel: string;
  json?: boolean;
  lang?: string;
  metrics?: string;
  unsafeLocal?: boolean;
  /** Repeatable: commander gathers them (none: an empty list). */
  notify?: string[];
}

export function registerRun(program: Command): void {
  const run = program
    .command('run')
    .description('run restore drills: restore each scenario\'s backup into a throwaway sandbox, verify it, time it, write results')
    .argument('[scenarios...]', `scenario files, folders or glob patterns (default: ${DEFAULT_SCENARIOS}; plans/ folders are skipped)`);
  withDrillOptions(run, 'drills')
    .addHelpText('after', EXIT_HELP)
    .action(async (args: string[], flags: RunFlags) => {
      const [{ runCommand }, { runRequest }] = await Promise.all([import('../run-command.ts'), import('../run-request.ts')]);
      const outcome = await runCommand(runRequest(args, flags));
      process.exitCode = outcome.exitCode;
    });
}

/** The options of every command that drills (run, plan run): one list, so their --help agrees. */
export function withDrillOptions(command: Command, what: 'drills' | 'systems'): Command {
  return command
    .option('--sandbox <driver>', `where to restore: ${SANDBOX_CHOICES.join(', ')} (auto takes vm when every scenario is sandbox.kind: vm, else docker when an engine answers and the images are built, else local)`, 'auto')
    .option('--results <dir>', 'folder for results (<dir>/<scenario>/<run-id>/)', 'results')
    .option('--point <id>', "restore point to drill: latest, an id (or a unique prefix), at:<time> for the newest at or before it, newest-clean (the newest on which no ransomware indicator fires), or random-within:<duration> (one at random among those taken within it, e.g. random-within:30d; default: the scenario's source.point, else latest)")
    .option('--seed <n>', 'the seed of a random-within choice: the seed a result.json recorded (restorePoint.selection.seed) repeats its choice')
    .option('--parallel <n>', `${what} to run at once`, '1')
    .option('--json', 'print one JSON document with all results on stdout instead of the console display')
    .option('--lang <lang>', 'language of report.html: ja or en (default: from the locale, LC_ALL / LANG)')
    .option('--unsafe-local', 'where bubblewrap cannot make a local sandbox, run restore steps and command checks WITHOUT one (with this host\'s rights; said on the console and in the results)')
    .option('--metrics <file>', 'also write Prometheus textfile metrics to this file (merged with its previous values)')
    .option('--notify <url>', `post a summary of each drill that is not PASS to this webhook (repeatable; slack+https://… or teams+https://… for their message shapes, else plain JSON; also the config file's "notify" list)`, (url: string, urls: string[] = []) => [...urls, url]);
}

/** --sandbox, checked against the drivers there are. */
export function sandboxChoice(text: string): SandboxChoice {
  if (!SANDBOX_CHOICES.includes(text as SandboxChoice)) throw new UsageError(`--sandbox must be one of ${SANDBOX_CHOICES.join(', ')}, got '${text}'`);
  return text as SandboxChoice;
}

export const EXIT_HELP = `
Exit codes:
  0   every drill PASSed (restored, intact, ready, within RTO and RPO)
  1   some drill FAILed (the backup did not restore correctly)
  2   some drill was LATE (correct, but over its RTO or RPO target) and none failed
  3   some drill ended in ERROR (the harness, the host or the sandbox failed, not the backup)
  64  bad command line
  65  invalid scenario file
  129/130/143 interrupted by SIGHUP / Ctrl-C / SIGTERM (sandboxes are removed first)
With several drills, the first that applies in the order 1, 3, 2, 0.`;

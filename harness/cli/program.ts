/** restore-drill's command line. Each subcommand lives in commands/; exit codes are in one place. */
import { Command, CommanderError } from 'commander';
import { DrillError, ScenarioError, UsageError, errorMessage } from '../errors.ts';
import { EXIT } from '../drill/verdict.ts';
import { checkTimeZone } from '../reporters/local-time.ts';
import { VERSION } from '../version.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEvidence } from './commands/evidence.ts';
import { registerImages } from './commands/images.ts';
import { registerInit } from './commands/init.ts';
import { registerKeys } from './commands/keys.ts';
import { registerReport } from './commands/report.ts';
import { registerManifest } from './commands/manifest.ts';
import { registerPlan } from './commands/plan.ts';
import { registerPoints } from './commands/points.ts';
import { registerRun, EXIT_HELP } from './commands/run.ts';
import { registerFindClean, registerScan } from './commands/scan.ts';
import { registerSchedule } from './commands/schedule.ts';
import { registerSchema } from './commands/schema.ts';
import { registerValidate } from './commands/validate.ts';
import { registerVerify } from './commands/verify.ts';
import { keepYoungGenerationSmall } from './young-generation.ts';

export function buildProgram(): Command {
  const program = new Command('restore-drill')
    .description('Proves that backups really come back: restores them into a throwaway sandbox, verifies them, and times them against RTO/RPO targets.')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    .option('--tz <zone>', 'the time zone times are shown in (console, report.html, index.html), e.g. Asia/Tokyo; default TZ, else the host\'s. result.json and evidence keep UTC')
    .addHelpText('after', EXIT_HELP)
    .hook('preAction', (command) => {
      const zone = command.opts<{ tz?: string }>().tz;
      if (zone) process.env.TZ = checkTimeZone(zone); // Node applies a TZ set while it runs
    });
  registerRun(program);
  registerValidate(program);
  registerInit(program);
  registerSchema(program);
  registerManifest(program);
  registerVerify(program);
  registerPoints(program);
  registerScan(program);
  registerFindClean(program);
  registerSchedule(program);
  registerDemo(program);
  registerImages(program);
  registerDoctor(program);
  registerReport(program);
  registerKeys(program);
  registerEvidence(program);
  registerPlan(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  keepYoungGenerationSmall();
  keepGoingWhenOutputCloses();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return exitCodeForError(err);
  }
}

/**
 * `restore-drill ... | head`: once the reader has gone, output is dropped instead of killing the
 * process with EPIPE, so that a drill still tears its sandboxes down and writes its results.
 */
function keepGoingWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    });
  }
}

function exitCodeForError(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? 0 : EXIT.USAGE;
  }
  process.stderr.write(`restore-drill: ${errorMessage(err)}\n`);
  if (err instanceof ScenarioError) return EXIT.INVALID_SCENARIO;
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof DrillError && err.kind === 'backup') return EXIT.FAIL;
  if (!(err instanceof DrillError) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return EXIT.ERROR;
}

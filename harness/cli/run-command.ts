/** The run command's work: load scenarios, pick the sandbox, run the drills, report. */
import path from 'node:path';
import { systemClock } from '../clock.ts';
import { runScenarios, type RunOutcome } from '../drill/run.ts';
import { UsageError } from '../errors.ts';
import { loadSigningKey } from '../evidence/keys.ts';
import { REPORTERS, FILE_REPORTERS, ReporterMultiplexer } from '../reporters/index.ts';
import { chooseLang } from '../reporters/html/lang.ts';
import { metricsReporter } from '../reporters/metrics.ts';
import { chooseDriver } from '../sandboxes/index.ts';
import { parsePointSelector } from '../sources/source.ts';
import type { RunFlags } from './commands/run.ts';
import { onInterrupt } from './interrupt.ts';
import { findScenarioFiles, loadScenarios } from './scenario-files.ts';

export async function runCommand(args: string[], flags: RunFlags): Promise<RunOutcome> {
  const parallel = Number(flags.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a whole number of 1 or more, got '${flags.parallel}'`);
  const scenarios = await loadScenarios(await findScenarioFiles(args), { references: false });
  const chosen = await chooseDriver(flags.sandbox, { unsafeLocal: flags.unsafeLocal });
  const resultsRoot = path.resolve(flags.results);
  const options = { lang: chooseLang(flags.lang), signingKey: await loadSigningKey({ resultsRoot }) };
  if (!options.signingKey && !flags.json) process.stderr.write('restore-drill: no evidence signing key is configured, so evidence.json is not written (restore-drill keys init makes one)\n');
  const reporters = [flags.json ? REPORTERS.json!(options) : REPORTERS.console!(options), ...FILE_REPORTERS.map((name) => REPORTERS[name]!(options))];
  if (flags.metrics) reporters.push(metricsReporter(flags.metrics));
  const multiplexer = new ReporterMultiplexer(reporters, (name, err) => process.stderr.write(`restore-drill: the ${name} reporter failed and was left out: ${String(err)}\n`));
  const interrupt = onInterrupt();
  try {
    if (chosen.note && !flags.json) process.stderr.write(`restore-drill: ${chosen.note}\n`);
    if (chosen.warning) process.stderr.write(`restore-drill: ${chosen.warning}\n`);
    const outcome = await runScenarios(scenarios, {
      driver: chosen.driver,
      resultsRoot,
      point: flags.point === undefined ? undefined : parsePointSelector(flags.point),
      parallel,
      clock: systemClock,
      signal: interrupt.signal,
      emit: multiplexer.emit,
      notes: [chosen.warning, chosen.note].filter((n) => n !== undefined),
    });
    return { ...outcome, exitCode: interrupt.exitCode() ?? outcome.exitCode };
  } finally {
    interrupt.dispose();
  }
}


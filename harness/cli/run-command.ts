/** The run command's work: load scenarios, pick the sandbox, run the drills, report. */
import { systemClock } from '../clock.ts';
import { runScenarios, type RunOptions, type RunOutcome } from '../drill/run.ts';
import { errorMessage } from '../errors.ts';
import { loadSigningKey } from '../evidence/keys.ts';
import { REPORTERS, FILE_REPORTERS, ReporterMultiplexer } from '../reporters/index.ts';
import { chooseLang } from '../reporters/html/lang.ts';
import { metricsReporter } from '../reporters/metrics.ts';
import { liveProgress } from '../reporters/console.ts';
import { notifyTargets } from '../notify/config.ts';
import { notifyReporter } from '../notify/reporter.ts';
import type { NotifyTarget } from '../notify/target.ts';
import { chooseDriver } from '../sandboxes/index.ts';
import type { SandboxChoice } from '../sandboxes/choices.ts';
import type { Scenario } from '../scenario/load.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { redactingDriver, redactorFor } from '../secrets/run-redactor.ts';
import type { PointSelector } from '../sources/source.ts';
import { onInterrupt } from './interrupt.ts';
import { checkResultsRoot } from './results-root.ts';
import { findScenarioFiles, loadScenarios } from './scenario-files.ts';

/** What a run is asked to do, already parsed (commands/run.ts turns the command line into this). */
export interface RunRequest {
  /** Scenario files, folders or globs (none: the default folder). */
  scenarios: string[];
  sandbox: SandboxChoice;
  results: string;
  /** The point to drill in every scenario; without it, each scenario's source.point. */
  point?: PointSelector;
  /** The seed of random-within choices; without it, each drill draws one and records it. */
  seed?: number;
  parallel: number;
  json?: boolean;
  lang?: string;
  metrics?: string;
  /** Run scenario commands unconfined where bubblewrap cannot make a sandbox (--unsafe-local). */
  unsafeLocal?: boolean;
  /** Webhooks told of every drill that is not PASS (--notify; the config file's are added). */
  notify?: NotifyTarget[];
}

export async function runCommand(request: RunRequest): Promise<RunOutcome> {
  const resultsRoot = await checkResultsRoot(request.results);
  // Every file each scenario names is checked before any drill starts (exit 65 naming the field).
  const scenarios = await loadScenarios(await findScenarioFiles(request.scenarios), { references: true });
  return drillWith(scenarios, request, resultsRoot, (options) => runScenarios(scenarios, options));
}

/** How drills are carried out, whoever asks for them (run, plan run): the command line's settings. */
export type DrillSettings = Omit<RunRequest, 'scenarios'>;

/**
 * Runs `drive` with what drills need (the sandbox driver, reporters, redaction, interruption) set up
 * from the settings, and takes them down after; the outcome comes back redacted.
 */
export async function drillWith<T extends RunOutcome>(scenarios: Scenario[], settings: DrillSettings, resultsRoot: string, drive: (options: RunOptions) => Promise<T>): Promise<T> {
  const redactor = await redactorFor(scenarios);
  try {
    return await drillScenarios(scenarios, settings, resultsRoot, redactor, drive);
  } catch (err) {
    throw redactor.error(err);
  }
}

async function drillScenarios<T extends RunOutcome>(scenarios: Scenario[], request: DrillSettings, resultsRoot: string, redactor: Redactor, drive: (options: RunOptions) => Promise<T>): Promise<T> {
  const chosen = await chooseDriver(request.sandbox, { unsafeLocal: request.unsafeLocal, machines: scenarios.length > 0 && scenarios.every((s) => s.spec.sandbox.kind === 'vm') });
  const options = { lang: chooseLang(request.lang), signingKey: await loadSigningKey({ resultsRoot }) };
  if (!options.signingKey && !request.json) process.stderr.write('restore-drill: no evidence signing key is configured, so evidence.json is not written (restore-drill keys init makes one)\n');
  const targets = await notifyTargets(request.notify);
  const reporters = [...(targets.length > 0 ? [notifyReporter({ targets, redactor })] : []), request.json ? REPORTERS.json(options) : REPORTERS.console(options), ...FILE_REPORTERS.map((name) => REPORTERS[name](options))];
  if (request.metrics) reporters.push(metricsReporter(request.metrics));
  const multiplexer = new ReporterMultiplexer(reporters, (name, err) => process.stderr.write(redactor.text(`restore-drill: the ${name} reporter failed on this event (it keeps running for the next ones): ${errorMessage(err)}\n`)), (event) => redactor.value(event));
  const interrupt = onInterrupt();
  try {
    if (chosen.note && !request.json) process.stderr.write(`restore-drill: ${chosen.note}\n`);
    if (chosen.warning) process.stderr.write(`restore-drill: ${chosen.warning}\n`);
    const outcome = await drive({
      driver: redactingDriver(chosen.driver, redactor),
      resultsRoot,
      point: request.point,
      seed: request.seed,
      parallel: request.parallel,
      clock: systemClock,
      signal: interrupt.signal,
      interruptedExitCode: interrupt.exitCode,
      emit: multiplexer.emit,
      progressTotals: !request.json && liveProgress(),
      notes: [chosen.warning, chosen.note].filter((n) => n !== undefined),
    });
    return { ...redactor.value(outcome), exitCode: interrupt.exitCode() ?? outcome.exitCode };
  } finally {
    interrupt.dispose();
  }
}

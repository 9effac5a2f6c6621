/** The flags of run and plan run parsed into a RunRequest: loaded when they run, not at every start. */
import { UsageError } from '../errors.ts';
import { MAX_SEED } from '../drill/seeded-random.ts';
import { parsePointSelector } from '../sources/source.ts';
import { parseNotifyTarget } from '../notify/target.ts';
import { sandboxChoice, type RunFlags } from './commands/run.ts';
import type { RunRequest } from './run-command.ts';

export function runRequest(scenarios: string[], flags: RunFlags): RunRequest {
  const parallel = Number(flags.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a whole number of 1 or more, got '${flags.parallel}'`);
  return {
    scenarios,
    sandbox: sandboxChoice(flags.sandbox),
    results: flags.results,
    point: flags.point === undefined ? undefined : parsePointSelector(flags.point),
    seed: flags.seed === undefined ? undefined : seedOf(flags.seed),
    parallel,
    json: flags.json,
    lang: flags.lang,
    metrics: flags.metrics,
    unsafeLocal: flags.unsafeLocal,
    notify: (flags.notify ?? []).map((url) => parseNotifyTarget(url, '--notify')),
  };
}

/** --seed: a whole number, as result.json records it. */
function seedOf(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(seed) || seed > MAX_SEED) throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED} (the restorePoint.selection.seed of a result.json), got '${text}'`);
  return seed;
}

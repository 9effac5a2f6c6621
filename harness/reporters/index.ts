/** Built-in reporters by name: the one list the CLI takes its choices from. */
import { consoleReporter } from './console.ts';
import type { SigningKey } from '../evidence/keys.ts';
import { evidenceReporter } from './evidence.ts';
import { htmlReporter } from './html/report-reporter.ts';
import type { Lang } from './html/lang.ts';
import { junitReporter } from './junit.ts';
import type { Reporter, ReporterName } from './reporter.ts';
import { resultJsonReporter } from './result-json.ts';
import { stdoutJsonReporter } from './stdout-json.ts';

/** What the run command knows that some reporters need. */
export interface ReporterOptions {
  lang: Lang;
  /** The evidence signing key; without it no evidence.json is written and reports say "not signed". */
  signingKey?: SigningKey;
}

/** The reporters a run can be given by name (metrics needs its file, so run-command makes it). */
export type BuiltInReporter = Exclude<ReporterName, 'metrics' | 'notify'>;

export const REPORTERS: Record<BuiltInReporter, (options: ReporterOptions) => Reporter> = {
  console: () => consoleReporter(),
  json: () => stdoutJsonReporter(),
  'result-json': () => resultJsonReporter(),
  junit: () => junitReporter(),
  evidence: (options) => evidenceReporter(options.signingKey),
  html: (options) => htmlReporter(options),
};

/** Files every run writes, whatever the display, in this order (evidence binds result.json; report.html waits for evidence:end). */
export const FILE_REPORTERS: readonly BuiltInReporter[] = ['result-json', 'junit', 'evidence', 'html'];

export { ReporterMultiplexer, type Reporter, type ReporterName } from './reporter.ts';

/** Built-in reporters by name: the one list the CLI takes its choices from. */
import { consoleReporter } from './console.ts';
import { junitReporter } from './junit.ts';
import type { Reporter } from './reporter.ts';
import { resultJsonReporter } from './result-json.ts';
import { stdoutJsonReporter } from './stdout-json.ts';

export const REPORTERS: Record<string, () => Reporter> = {
  console: () => consoleReporter(),
  json: () => stdoutJsonReporter(),
  'result-json': () => resultJsonReporter(),
  junit: () => junitReporter(),
};

/** Files every run writes, whatever the display. */
export const FILE_REPORTERS = ['result-json', 'junit'];

export { ReporterMultiplexer, type Reporter } from './reporter.ts';

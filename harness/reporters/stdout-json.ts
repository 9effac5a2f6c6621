/** --json: one JSON document on stdout when the run ends, for scripts and other tools. */
import type { Reporter } from './reporter.ts';

export function stdoutJsonReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  return {
    name: 'json',
    'run:end': ({ results, exitCode }) => {
      out.write(JSON.stringify({ exitCode, results }, null, 2) + '\n');
    },
  };
}

/**
 * Writes evidence.json beside result.json: the drill's result as a signed in-toto statement, chained to
 * the scenario's previous run. Runs after the result-json reporter (it binds that file's digest).
 */
import { writeEvidence } from '../evidence/write.ts';
import type { SigningKey } from '../evidence/keys.ts';
import type { Reporter } from './reporter.ts';

export function evidenceReporter(key: SigningKey | undefined): Reporter {
  return {
    name: 'evidence',
    'drill:end': async ({ result }) => {
      if (key) await writeEvidence(result, key);
    },
  };
}

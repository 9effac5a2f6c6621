/**
 * Writes evidence.json beside result.json: the drill's result as a signed in-toto statement, chained to
 * the scenario's previous run. Runs after the result-json reporter (it binds that file's digest), and
 * hands what became of the evidence on in an evidence:end event (report.html shows it).
 */
import { writeEvidence } from '../evidence/write.ts';
import type { SigningKey } from '../evidence/keys.ts';
import { failedStatus, writtenStatus } from '../evidence/status.ts';
import type { Reporter } from './reporter.ts';

export function evidenceReporter(key: SigningKey | undefined): Reporter {
  return {
    name: 'evidence',
    'drill:end': async ({ drill, result }, { emit }) => {
      if (!key) return emit({ type: 'evidence:end', drill, result, evidence: { state: 'none' } });
      try {
        emit({ type: 'evidence:end', drill, result, evidence: writtenStatus(await writeEvidence(result, key)) });
      } catch (err) {
        emit({ type: 'evidence:end', drill, result, evidence: failedStatus(err) });
        throw err;
      }
    },
  };
}

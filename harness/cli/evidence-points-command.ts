/** `evidence points`: the scenario's points now, the runs under --results, and each run's evidence verified. */
import { trustedKeys } from '../evidence/keys.ts';
import { describePointProofs, pointProofs } from '../evidence/points.ts';
import { UsageError } from '../errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { withRedaction } from '../secrets/run-redactor.ts';
import { createSource } from '../sources/index.ts';

export interface EvidencePointsRequest {
  scenario: string;
  results: string;
  /** Public key files (--key); none: the configured pair's, else evidence is listed unverified. */
  keys: string[];
  json?: boolean;
}

export async function evidencePointsCommand(request: EvidencePointsRequest): Promise<number> {
  const scenario = await loadScenario(request.scenario);
  const trusted = await trustedKeys(request.keys).catch((err: unknown) => {
    if (request.keys.length === 0 && err instanceof UsageError) return undefined;
    throw err;
  });
  return withRedaction([scenario], async (redact) => {
    const points = await createSource(scenario).points();
    const proofs = await pointProofs({ scenario: scenario.spec.name, points, resultsRoot: request.results, keys: trusted?.keys });
    process.stdout.write(redact(request.json ? JSON.stringify({ scenario: scenario.spec.name, verifiedWith: trusted?.from, points: proofs }, null, 2) + '\n' : describePointProofs(scenario.spec.name, proofs, trusted?.from)));
    return proofs.some((p) => p.runs.some((r) => r.evidence === 'failed')) ? 1 : 0;
  });
}

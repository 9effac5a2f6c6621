/**
 * The evidence chain: one per scenario folder of a results tree (results/<scenario>/). Each run's
 * evidence names the sha256 of the previous run's evidence.json, so a removed, reordered or edited
 * past run breaks a link that `evidence verify` reports.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from './digest.ts';
import type { ChainLink } from './statement.ts';

export const EVIDENCE_FILE = 'evidence.json';

/** Run folders of a scenario folder, in run order (run ids sort by time). */
export async function runFolders(scenarioDir: string): Promise<string[]> {
  const entries = await readdir(scenarioDir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** The link for a new run: the latest evidence of the scenario before this run, if any. */
export async function nextLink(resultsDir: string): Promise<ChainLink> {
  const scenarioDir = path.dirname(resultsDir);
  const runId = path.basename(resultsDir);
  const earlier = (await runFolders(scenarioDir)).filter((name) => name < runId).reverse();
  for (const name of earlier) {
    const bytes = await readFile(path.join(scenarioDir, name, EVIDENCE_FILE)).catch(() => undefined);
    if (!bytes) continue;
    return { scope: 'scenario', sequence: sequenceOf(bytes) + 1, previous: { runId: name, digest: { sha256: sha256Hex(bytes) } } };
  }
  return { scope: 'scenario', sequence: 1, previous: null };
}

/** The sequence number recorded in an evidence file (0 when it cannot be read: the verifier will say why). */
function sequenceOf(bytes: Buffer): number {
  try {
    const envelope = JSON.parse(bytes.toString('utf8')) as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as { predicate: { chain: { sequence: number } } };
    const sequence = statement.predicate.chain.sequence;
    return Number.isInteger(sequence) && sequence > 0 ? sequence : 0;
  } catch {
    return 0;
  }
}

/** Writes evidence.json for a finished drill (or plan run): statement, signed, chained to the previous run of its folder, and anchored. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../drill/result.ts';
import { errorMessage } from '../errors.ts';
import { appendAnchor } from './anchor-append.ts';
import { nextLink, EVIDENCE_FILE } from './chain.ts';
import { digestOfRestorePoint, sha256Hex, type DigestSet } from './digest.ts';
import { signEnvelope, type DsseEnvelope } from './dsse.ts';
import type { SigningKey } from './keys.ts';
import { buildStatement, PAYLOAD_TYPE, type ChainLink, type DrillStatement } from './statement.ts';

export async function writeEvidence(result: DrillResult, key: SigningKey): Promise<{ file: string; envelope: DsseEnvelope; statement: DrillStatement }> {
  const resultBytes = await readFile(path.join(result.resultsDir, 'result.json'));
  const notes: string[] = [];
  let restorePoint: DigestSet | undefined;
  if (result.restorePoint) {
    try {
      const point = await digestOfRestorePoint(result.restorePoint);
      restorePoint = point.digest;
      if (point.note) notes.push(point.note);
    } catch (err) {
      notes.push(`the restore point ${result.restorePoint.location} could not be digested after the drill: ${errorMessage(err)}`);
    }
  } else notes.push('no restore point was chosen, so none is a subject');
  return writeChainedEvidence(result.resultsDir, key, (chain) => buildStatement({ result, resultJsonSha256: sha256Hex(resultBytes), restorePoint, chain, notes }));
}

/**
 * The one way a run's record is signed: the statement made for the run folder's next chain link
 * (its folder of runs: a scenario's, or a plan's), signed in a DSSE envelope, written as evidence.json
 * in the run folder (atomically), and appended to the anchor. Drills and plans both come here.
 */
export async function writeChainedEvidence<S>(runDir: string, key: SigningKey, statementFor: (chain: ChainLink) => S): Promise<{ file: string; envelope: DsseEnvelope; statement: S }> {
  const chain = await nextLink(runDir);
  const statement = statementFor(chain);
  const envelope = signEnvelope(PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement), 'utf8'), key.privateKey);
  const file = path.join(runDir, EVIDENCE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  const bytes = JSON.stringify(envelope, null, 2) + '\n';
  await writeFile(temporary, bytes, { flag: 'wx' });
  await rename(temporary, file);
  const folder = path.dirname(runDir);
  await appendAnchor(key.anchor.path, { scenario: path.basename(folder), runId: path.basename(runDir), sequence: chain.sequence, evidence: { sha256: sha256Hex(bytes) }, results: path.dirname(folder) }, key);
  return { file, envelope, statement };
}

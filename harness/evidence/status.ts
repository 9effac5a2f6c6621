/** What became of a drill's evidence.json, as the evidence reporter hands it on (report.html shows it). */
import { errorMessage } from '../errors.ts';
import type { DsseEnvelope } from './dsse.ts';
import { SUBJECT, type ChainLink, type Subject } from './statement.ts';

export type EvidenceStatus =
  | { state: 'none' }
  | { state: 'verified'; keyid: string; sequence: number; previous: string | null; resultSha256: string }
  | { state: 'failed'; problems: string[] };

/** The status of evidence just written and signed (the signature was made here, with the run's key); bound: the record's subject (result.json, plan.json). */
export function writtenStatus(written: { envelope: DsseEnvelope; statement: { subject: Subject[]; predicate: { chain: ChainLink } } }, bound: string = SUBJECT.result): EvidenceStatus {
  const { chain } = written.statement.predicate;
  return {
    state: 'verified',
    keyid: written.envelope.signatures[0]?.keyid ?? '',
    sequence: chain.sequence,
    previous: chain.previous?.runId ?? null,
    resultSha256: written.statement.subject.find((s) => s.name === bound)?.digest.sha256 ?? '',
  };
}

export function failedStatus(err: unknown): EvidenceStatus {
  return { state: 'failed', problems: [`evidence.json could not be written: ${errorMessage(err)}`] };
}

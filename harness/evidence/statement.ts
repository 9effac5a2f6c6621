/**
 * The signed record of a drill: an in-toto Statement v1 (github.com/in-toto/attestation, spec v1)
 * whose predicate is the drill's result, carried in a DSSE envelope.
 *
 * Subjects: the scenario file, the restore point, the sandbox image (docker), and the result.json
 * written beside the evidence, each with its digest. The predicate type is ours:
 *   https://restore-drill.dev/drill-result/v1
 *   { result: <result.json content>, chain: { scope, sequence, previous } }
 */
import type { DrillResult } from '../drill/result.ts';
import type { DigestSet } from './digest.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE = 'https://restore-drill.dev/drill-result/v1';

/** Subject names, so that a verifier finds each one. */
export const SUBJECT = {
  scenario: (file: string) => `scenario:${file}`,
  restorePoint: (id: string) => `restore-point:${id}`,
  sandboxImage: (name: string) => `sandbox-image:${name}`,
  result: 'result.json',
} as const;

export interface Subject {
  name: string;
  digest: DigestSet;
}

/** How this run links to the one before it (same scenario, same results tree). */
export interface ChainLink {
  /** "scenario": one chain per results/<scenario>/ folder; "plan": one per results/_plan.<plan>/ folder. */
  scope: 'scenario' | 'plan';
  /** 1 for the first signed run of the scenario, then 2, 3, ... */
  sequence: number;
  /** The previous signed run of the scenario, and the sha256 of its evidence.json file; null for the first. */
  previous: { runId: string; digest: { sha256: string } } | null;
}

export interface DrillPredicate {
  result: DrillResult;
  chain: ChainLink;
  /** Why a subject could not be digested (the restore point gone, an ERROR before a point was chosen). */
  notes: string[];
}

export interface DrillStatement {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: typeof PREDICATE_TYPE;
  predicate: DrillPredicate;
}

export function buildStatement(input: { result: DrillResult; resultJsonSha256: string; restorePoint?: DigestSet; chain: ChainLink; notes: string[] }): DrillStatement {
  const { result } = input;
  const subject: Subject[] = [{ name: SUBJECT.scenario(result.scenario.file), digest: { sha256: result.scenario.digest.replace(/^sha256:/, '') } }];
  if (result.restorePoint && input.restorePoint) subject.push({ name: SUBJECT.restorePoint(result.restorePoint.id), digest: input.restorePoint });
  // A container sandbox's image, by its id (the digest of its configuration), when the driver names one.
  const image = result.sandbox?.description;
  const imageId = /^sha256:([0-9a-f]{64})$/.exec(image?.imageId ?? '')?.[1];
  if (image && imageId) subject.push({ name: SUBJECT.sandboxImage(image.image ?? 'image'), digest: { sha256: imageId } });
  subject.push({ name: SUBJECT.result, digest: { sha256: input.resultJsonSha256 } });
  return {
    _type: STATEMENT_TYPE,
    subject,
    predicateType: PREDICATE_TYPE,
    predicate: { result, chain: input.chain, notes: input.notes },
  };
}

/** Reads a statement from a decoded payload, or says which field is wrong. */
export function asStatement(value: unknown): DrillStatement | string {
  if (!value || typeof value !== 'object') return 'the payload is not a JSON object';
  const v = value as Partial<DrillStatement>;
  if (v._type !== STATEMENT_TYPE) return `the payload's _type is ${JSON.stringify(v._type)}, expected ${STATEMENT_TYPE}`;
  if (v.predicateType !== PREDICATE_TYPE) return `the predicateType is ${JSON.stringify(v.predicateType)}, expected ${PREDICATE_TYPE}`;
  if (!Array.isArray(v.subject) || v.subject.length === 0) return 'the statement has no subject';
  const p = v.predicate as Partial<DrillPredicate> | undefined;
  if (!p?.result || typeof p.result.runId !== 'string' || !p.result.scenario) return 'the predicate has no drill result';
  if (!p.chain || typeof p.chain.sequence !== 'number' || p.chain.previous === undefined) return 'the predicate has no chain link';
  return v as DrillStatement;
}

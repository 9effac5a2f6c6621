/**
 * The signed record of a plan run: an in-toto Statement v1 in a DSSE envelope, like a drill's
 * (evidence/statement.ts), written and chained by the same signer (writeChainedEvidence): one chain per
 * plan folder (results/_plan.<plan>/). Predicate type https://restore-drill.dev/plan-result/v1:
 *   { plan: <plan.json content>, chain: { scope: "plan", sequence, previous }, notes }
 * Subjects: the plan file, plan.json, and each drilled system's evidence.json (so the plan's signature
 * also vouches for which drill records it was made of).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EVIDENCE_FILE } from '../evidence/chain.ts';
import { sha256Hex } from '../evidence/digest.ts';
import type { SigningKey } from '../evidence/keys.ts';
import { writtenStatus, type EvidenceStatus } from '../evidence/status.ts';
import { STATEMENT_TYPE, type ChainLink, type Subject } from '../evidence/statement.ts';
import { writeChainedEvidence } from '../evidence/write.ts';
import type { PlanResult } from './result.ts';

export const PLAN_PREDICATE_TYPE = 'https://restore-drill.dev/plan-result/v1';

export const PLAN_SUBJECT = {
  plan: (file: string) => `plan:${file}`,
  systemEvidence: (system: string) => `system-evidence:${system}`,
  result: 'plan.json',
} as const;

export interface PlanStatement {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: typeof PLAN_PREDICATE_TYPE;
  predicate: { plan: PlanResult; chain: ChainLink; notes: string[] };
}

export async function writePlanEvidence(result: PlanResult, key: SigningKey): Promise<EvidenceStatus> {
  const planJson = await readFile(path.join(result.resultsDir, PLAN_SUBJECT.result));
  const subject: Subject[] = [{ name: PLAN_SUBJECT.plan(result.plan.file), digest: { sha256: result.plan.digest.replace(/^sha256:/, '') } }];
  const notes: string[] = [];
  for (const system of result.systems) {
    const bytes = await readFile(path.join(system.resultsDir, EVIDENCE_FILE)).catch(() => undefined);
    if (bytes) subject.push({ name: PLAN_SUBJECT.systemEvidence(system.name), digest: { sha256: sha256Hex(bytes) } });
    else notes.push(`${system.name} has no evidence.json, so none is a subject`);
  }
  subject.push({ name: PLAN_SUBJECT.result, digest: { sha256: sha256Hex(planJson) } });
  const written = await writeChainedEvidence(result.resultsDir, key, (chain): PlanStatement => ({
    _type: STATEMENT_TYPE,
    subject,
    predicateType: PLAN_PREDICATE_TYPE,
    predicate: { plan: result, chain: { ...chain, scope: 'plan' }, notes },
  }));
  return writtenStatus(written, PLAN_SUBJECT.result);
}

/** Reads a plan statement from a decoded payload: undefined when it is not one (its predicateType). */
export function asPlanStatement(value: unknown): PlanStatement | string | undefined {
  const v = value as Partial<PlanStatement> | null;
  if (!v || typeof v !== 'object' || v.predicateType !== PLAN_PREDICATE_TYPE) return undefined;
  if (v._type !== STATEMENT_TYPE) return `the payload's _type is ${JSON.stringify(v._type)}, expected ${STATEMENT_TYPE}`;
  if (!Array.isArray(v.subject) || v.subject.length === 0) return 'the statement has no subject';
  const p = v.predicate;
  if (!p?.plan || typeof p.plan.runId !== 'string' || !p.plan.plan || !Array.isArray(p.plan.systems)) return 'the predicate has no plan result';
  if (!p.chain || typeof p.chain.sequence !== 'number' || p.chain.previous === undefined) return 'the predicate has no chain link';
  return v as PlanStatement;
}

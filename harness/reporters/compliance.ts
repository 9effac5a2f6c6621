/**
 * Maps a drill to the controls it gives evidence for, from compliance.json (a data file with a source
 * per entry). An entry maps only when every condition it requires held in this drill: a FAIL or an
 * ERROR maps nothing; RC.RP-05 needs readiness checks; A.5.30 an RTO target that was met.
 */
import { readFileSync } from 'node:fs';
import type { DrillResult } from '../drill/result.ts';
import type { Lang } from './html/lang.ts';

export type Condition = 'restored' | 'passed' | 'integrity' | 'readiness' | 'rto-target' | 'isolated';
type Text = Record<Lang, string>;

export interface ComplianceEntry {
  id: string;
  framework: Text;
  clause: string;
  title: Text;
  reason: Text;
  quote?: string;
  requires: Condition[];
  /** The drill supports the control only in part (the reason says which part). */
  partial?: boolean;
  source: { publisher: string; document: string; url?: string };
  /** False: the id or wording was not confirmed word for word against the publisher's document. */
  confirmed: boolean;
  unconfirmed?: Text;
  note?: Text;
}

export interface ComplianceData {
  version: number;
  checked: string;
  limits: Record<Lang, string[]>;
  conditions: Record<Condition, Text>;
  entries: ComplianceEntry[];
}

export const COMPLIANCE: ComplianceData = JSON.parse(readFileSync(new URL('./compliance.json', import.meta.url), 'utf8')) as ComplianceData;

/** Which conditions this drill showed. */
export function conditionsShown(result: DrillResult): Set<Condition> {
  const shown = new Set<Condition>();
  const allPassed = result.checks.length > 0 && result.checks.every((c) => c.status === 'pass');
  if ((result.verdict === 'PASS' || result.verdict === 'LATE') && allPassed) shown.add('restored');
  if (result.verdict === 'PASS' && allPassed) shown.add('passed');
  if (result.checks.some((c) => c.kind === 'files' && c.status === 'pass')) shown.add('integrity');
  if (result.checks.some((c) => c.kind === 'command' && c.phase === 'ready' && c.status === 'pass')) shown.add('readiness');
  if (result.rto.targetMs !== undefined && result.rto.ok === true) shown.add('rto-target');
  if (result.sandbox?.isolation.networkIsolated) shown.add('isolated');
  return shown;
}

export interface Mapping {
  mapped: ComplianceEntry[];
  /** Entries not mapped, with the conditions this drill did not show. */
  notMapped: { entry: ComplianceEntry; missing: Condition[] }[];
}

export function mapCompliance(result: DrillResult, data: ComplianceData = COMPLIANCE): Mapping {
  const shown = conditionsShown(result);
  const mapping: Mapping = { mapped: [], notMapped: [] };
  for (const entry of data.entries) {
    const missing = entry.requires.filter((c) => !shown.has(c));
    if (missing.length === 0) mapping.mapped.push(entry);
    else mapping.notMapped.push({ entry, missing });
  }
  return mapping;
}

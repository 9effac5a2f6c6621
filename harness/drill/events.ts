/** The one event stream a drill run emits; reporters are plugins that listen to it. */
import type { CheckResult } from '../checks/check.ts';
import type { EvidenceStatus } from '../evidence/status.ts';
import type { DrillResult, PhaseName } from './result.ts';

export interface DrillRef {
  runId: string;
  scenario: string;
}

export type DrillEvent =
  | { type: 'run:start'; scenarios: string[]; sandbox: string }
  | { type: 'drill:start'; drill: DrillRef; file: string }
  | { type: 'phase:start'; drill: DrillRef; phase: PhaseName }
  | { type: 'phase:end'; drill: DrillRef; phase: PhaseName; status: 'passed' | 'failed'; durationMs: number }
  | { type: 'progress'; drill: DrillRef; phase: PhaseName; files: number; bytes: number; totalBytes?: number }
  | { type: 'check:result'; drill: DrillRef; result: CheckResult }
  | { type: 'note'; drill?: DrillRef; message: string }
  | { type: 'drill:end'; drill: DrillRef; result: DrillResult }
  /** After drill:end, from the evidence reporter: whether this drill's evidence.json was written and signed. */
  | { type: 'evidence:end'; drill: DrillRef; result: DrillResult; evidence: EvidenceStatus }
  | { type: 'run:end'; results: DrillResult[]; exitCode: number };

export type EventOf<T extends DrillEvent['type']> = Extract<DrillEvent, { type: T }>;

export type Emit = (event: DrillEvent) => Promise<void>;

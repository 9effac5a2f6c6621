/**
 * The check role: small objects, each answering one question about the restored state. A check's
 * failure is a result (status "fail" with findings); only a broken harness or sandbox throws.
 */
import type { Clock } from '../clock.ts';
import type { CompareStats } from '../manifest/compare.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import type { ChangeSummary } from '../ransomware/change.ts';
import type { ScanSettings, ScanStats } from '../ransomware/scan.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import type { RestorePoint } from '../sources/source.ts';

/** verify: is the data intact; ready: does the restored system answer. RTO ends when "ready" passes. */
export type CheckPhase = 'verify' | 'ready';
export type CheckStatus = 'pass' | 'fail' | 'error';

export interface Finding {
  /** What kind of problem: missing, changed, extra, exit-code, output, timeout ... */
  rule: string;
  /** The file or the thing it is about. */
  subject?: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

/** What each kind of check records beside its findings (result.json's `details`). */
export interface CheckDetailsOf {
  files: CompareStats & { manifest: string; extra: string };
  text: { path: string; expected: string; diff?: string };
  sql: { database: string; query: string; rows?: number; value?: string; diff?: string };
  http: { url: string; attempts: number; status: number; body: string };
  command: { attempts: number; exitCode: number; stdout: string; stderr: string };
  canary: { maxAgeMs: number; newest?: string; ageMs?: number };
  boot: { console: string; waitedMs: number; accel: string; screenshot?: string };
  'guest-agent': { attempts: number };
  tcp: { port: number; hostPort?: number; attempts: number };
  /** screenshot: a PNG relative to the results folder. */
  screen: { screenshot?: string; text?: string; ocrText?: string; attempts?: number };
  ransomware: { read: ScanStats; settings: ScanSettings; change?: ChangeSummary; changeNote?: string; indicators: { file: string; source: string }[]; point?: string; previousPoint?: string };
}

export type CheckKind = keyof CheckDetailsOf;

interface CheckResultFields<K extends CheckKind> {
  kind: K;
  name: string;
  phase: CheckPhase;
  status: CheckStatus;
  /** One line for the console and the report. */
  summary: string;
  /** A capped sample of the findings; findingCount has them all. */
  findings: Finding[];
  findingCount: number;
  durationMs: number;
  /** Check-specific figures (files verified, attempts, ...); absent when the check could not run. */
  details?: CheckDetailsOf[K];
  /** The last lines of the sandbox's log, when a readiness check failed. */
  logTail?: string;
}

/** The result of a check of kind K; for a union of kinds, the union of their results. */
export type CheckResultOf<K extends CheckKind> = K extends CheckKind ? CheckResultFields<K> : never;
export type CheckResult = CheckResultOf<CheckKind>;

export interface CheckContext {
  sandbox: Sandbox;
  pool: HashPool;
  clock: Clock;
  signal: AbortSignal;
  onProgress(progress: { files: number; bytes: number }): void;
  /** The point restored and its neighbours, for checks that compare points (ransomware). */
  points?: PointAccess;
}

/** The restore point a check sees, the one before it, and their manifests. */
export interface PointAccess {
  current: RestorePoint;
  /** The next older point, when there is one. */
  previous?: RestorePoint;
  /**
   * A sorted sha256sum manifest file of a point: made from restoredAt when given (the tree already
   * restored), else by restoring the point into a scratch sandbox. Cached per point.
   */
  manifestOf(point: RestorePoint, restoredAt?: string): Promise<string>;
}

export interface Check<K extends CheckKind = CheckKind> {
  readonly kind: K;
  readonly name: string;
  readonly phase: CheckPhase;
  run(context: CheckContext): Promise<CheckResultOf<K>>;
}

export const MAX_FINDINGS_KEPT = 200;

/** Collects findings, keeping a capped sample and the full count. */
export class FindingList {
  readonly sample: Finding[] = [];
  count = 0;
  add(finding: Finding): void {
    this.count++;
    if (this.sample.length < MAX_FINDINGS_KEPT) this.sample.push(finding);
  }
}

/** What a check found, before it becomes a CheckResult. */
export interface CheckOutcome<K extends CheckKind> {
  /** The findings (a capped sample when findingCount is given). */
  findings: Finding[];
  findingCount?: number;
  /** The summary of a pass. */
  passed: string;
  /** The summary of a failure (default: the findings' messages). */
  failed?: string;
  /** When the check began, on the context's monotonic clock. */
  startedAt: number;
  details?: CheckDetailsOf[K];
  logTail?: string;
}

/** One shape for every check's result: pass when there is no finding. */
export function checkResult<K extends CheckKind>(check: Check<K>, clock: Clock, outcome: CheckOutcome<K>): CheckResultOf<K> {
  const findingCount = outcome.findingCount ?? outcome.findings.length;
  const ok = findingCount === 0;
  const result: CheckResultFields<K> = {
    kind: check.kind,
    name: check.name,
    phase: check.phase,
    status: ok ? 'pass' : 'fail',
    summary: ok ? outcome.passed : (outcome.failed ?? outcome.findings.map((f) => f.message).join('; ')),
    findings: outcome.findings,
    findingCount,
    durationMs: clock.monotonic() - outcome.startedAt,
    details: outcome.details,
    logTail: outcome.logTail,
  };
  return result as CheckResultOf<K>;
}

/** The unified diff a text or sql check shows when the content differs. */
export function diffOf(result: CheckResult): string | undefined {
  return result.kind === 'text' || result.kind === 'sql' ? result.details?.diff : undefined;
}

/** The screenshot a machine check kept (relative to the results folder). */
export function screenshotOf(result: CheckResult): string | undefined {
  return result.kind === 'boot' || result.kind === 'screen' ? result.details?.screenshot : undefined;
}

/** The text OCR read on a screen check's screenshot (untrusted: the restored guest's screen). */
export function ocrTextOf(result: CheckResult): string | undefined {
  return result.kind === 'screen' ? result.details?.ocrText : undefined;
}

/** The result of a check that could not run (it threw), or of a point that never got to it. */
export function checkThrew<K extends CheckKind>(check: Pick<Check<K>, 'kind' | 'name' | 'phase'>, message: string, status: CheckStatus = 'error', findings: Finding[] = []): CheckResultOf<K> {
  const result: CheckResultFields<K> = { kind: check.kind, name: check.name, phase: check.phase, status, summary: message, findings, findingCount: findings.length, durationMs: 0 };
  return result as CheckResultOf<K>;
}

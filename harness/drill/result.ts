/** What a drill produced: the content of result.json, the document every reporter works from. */
import type { CheckKind, CheckResult } from '../checks/check.ts';
import type { DriverName, Isolation } from '../sandboxes/sandbox.ts';
import type { RtoForecast } from './forecast.ts';
import type { PointSelection } from './point-choice.ts';
import type { SampleRecord } from './sample-rotation.ts';

export type Verdict = 'PASS' | 'FAIL' | 'LATE' | 'ERROR';
export type PhaseName = 'access' | 'select' | 'provision' | 'restore' | 'verify' | 'ready' | 'control' | 'teardown';

export const RESULT_SCHEMA = 'restore-drill/result@1';

export interface PhaseRecord {
  name: PhaseName;
  status: 'passed' | 'failed' | 'skipped';
  startedAt?: string;
  durationMs: number;
}

/**
 * The negative control (drill/negative-control.ts): proof that the checks can fail. passed: every
 * check failed where it must; vacuous: at least one passed on nothing (the verdict is then ERROR);
 * off: negative_control: false; not-run: the checks did not all pass, or the drill ended before them.
 */
export interface NegativeControl {
  status: 'passed' | 'vacuous' | 'off' | 'not-run';
  /** Why the control was not run, when it was not. */
  reason?: string;
  checks: ControlCheck[];
}

export interface ControlCheck {
  kind: CheckKind;
  name: string;
  /** proven: the check failed on the manipulated view or the empty restore; vacuous: it passed there. */
  status: 'proven' | 'vacuous' | 'not-applicable';
  /** How the check was tried: a manipulated view of the restore (files), or an empty restore. */
  method: 'manipulated-view' | 'empty-restore' | 'none';
  summary: string;
}

export interface TargetMeasure {
  targetMs?: number;
  actualMs?: number;
  ok?: boolean;
  /** What was measured, in words, for the report. */
  measured: string;
}

export interface DrillResult {
  schema: typeof RESULT_SCHEMA;
  runId: string;
  scenario: { name: string; system?: string; file: string; digest: string };
  verdict: Verdict;
  /** One line saying why the verdict is what it is. */
  reason: string;
  startedAt: string;
  endedAt: string;
  /** selection: how the point was chosen (a random-within choice's seed and candidates: --seed repeats it). */
  restorePoint?: { id: string; time: string; location: string; sizeBytes?: number; sourceKind: string; host?: string; paths?: string[]; selection?: PointSelection };
  restored?: { files: number; bytes: number; warnings?: string[] };
  /** A rotating sample (source.sample): the paths restored, and how much of the system drills restored in the last 12 months. */
  sample?: SampleRecord;
  rpo: TargetMeasure;
  /** forecast: only when the scenario restored a sample (see forecast.ts); never decides the verdict. */
  /** declaredMs: a declared wait to reach an offline copy (access.wait), included in actualMs, not measured. */
  rto: TargetMeasure & { forecast?: RtoForecast; declaredMs?: number };
  /** How often this scenario must pass a drill (targets.drill_interval), for the index and metrics. */
  drillIntervalMs?: number;
  phases: PhaseRecord[];
  checks: CheckResult[];
  /** Absent in results written before the negative control existed. */
  negativeControl?: NegativeControl;
  sandbox?: { driver: DriverName; isolation: Isolation; description: Record<string, string> };
  error?: { code: string; kind: string; message: string };
  host: { hostname: string; user: string; platform: string };
  tools: Record<string, string>;
  /** Where result.json and the other outputs of this drill are. */
  resultsDir: string;
  /** Things the harness did on the side (leftovers removed, fallbacks taken). */
  notes: string[];
}

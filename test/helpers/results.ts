/** A DrillResult for unit tests, shaped like the drill writes it; override what a test is about. */
import type { CheckResult } from '../../harness/checks/check.ts';
import { RESULT_SCHEMA, type DrillResult } from '../../harness/drill/result.ts';

export const FILES_PASS: CheckResult = { kind: 'files', name: 'files match share.sha256', phase: 'verify', status: 'pass', summary: '3 files match', findings: [], findingCount: 0, durationMs: 12 };
export const READY_PASS: CheckResult = { kind: 'command', name: 'the service answers', phase: 'ready', status: 'pass', summary: 'passed', findings: [], findingCount: 0, durationMs: 40 };

export function sampleResult(overrides: Partial<DrillResult> = {}): DrillResult {
  return {
    schema: RESULT_SCHEMA,
    runId: '2026-11-01T03-00-00-000Z-abcd',
    scenario: { name: 'billing', system: '医事会計', file: 'scenarios/billing.yaml', digest: `sha256:${'a'.repeat(64)}` },
    verdict: 'PASS',
    reason: 'restored, intact and ready within the targets',
    startedAt: '2026-11-01T03:00:00.000Z',
    endedAt: '2026-11-01T03:05:00.000Z',
    restorePoint: { id: 'billing-20261031.tar.gz', time: '2026-10-31T18:00:00.000Z', location: '/backups/billing-20261031.tar.gz', sourceKind: 'tar' },
    restored: { files: 3, bytes: 1024 },
    rpo: { targetMs: 26 * 3_600_000, actualMs: 9 * 3_600_000, ok: true, measured: 'rpo' },
    rto: { targetMs: 30 * 60_000, actualMs: 4 * 60_000, ok: true, measured: 'rto' },
    phases: [],
    checks: [FILES_PASS, READY_PASS],
    sandbox: { driver: 'local', isolation: { networkIsolated: true, network: 'none', backupProtection: 'opened read-only by the harness', notes: [] }, description: {} },
    host: { hostname: 'drill-host', user: 'it-staff', platform: 'linux' },
    tools: { 'restore-drill': '0.1.0', node: 'v24.0.0' },
    resultsDir: '/results/billing/2026-11-01T03-00-00-000Z-abcd',
    notes: [],
    ...overrides,
  };
}

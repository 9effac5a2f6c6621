/**
 * Makes demo and test backups with the real tools inside a throwaway sandbox of the project's own
 * images (PostgreSQL's pg_dump, dcmtk, restic, borg), so that nothing but Docker and the images is
 * needed on the host. What the commands write under /restore/out is copied out before the sandbox goes.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';
import type { Sandbox, SandboxDriver } from '../sandboxes/sandbox.ts';
import { sandboxSchema } from '../scenario/schema.ts';

export interface WorkStep {
  run: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs the steps in a sandbox from `image`, then copies /restore/out (or the restore folder's `out`) to `dest`. */
export async function makeInSandbox(
  driver: SandboxDriver,
  image: string,
  steps: WorkStep[] | ((sandbox: Sandbox) => WorkStep[]),
  dest: string,
  name = 'fixture',
  /** Host folders the steps read (mounted read-only; sandbox.backupPath maps them). */
  inputs: string[] = [],
): Promise<void> {
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-fixture-log-'));
  const sandbox = await driver.provision({
    spec: sandboxSchema.parse({ image }),
    backupPaths: inputs,
    scenario: name,
    runId: `${name}-${process.pid}-${Date.now().toString(36)}`,
    logDir,
  });
  try {
    await sandbox.exec('mkdir -p out', { timeoutMs: 10_000 });
    for (const step of typeof steps === 'function' ? steps(sandbox) : steps) {
      const result = await sandbox.exec(step.run, { timeoutMs: step.timeoutMs ?? 5 * 60_000, env: step.env });
      if (result.exitCode !== 0 || result.timedOut) {
        throw new InfrastructureError('FIXTURE_FAILED', `Making ${name} in ${image} failed at "${step.run.slice(0, 120)}" (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().split('\n').slice(-6).join(' | ')}`);
      }
    }
    await mkdir(dest, { recursive: true });
    await cp(path.join(sandbox.hostRestoreDir, 'out'), dest, { recursive: true, preserveTimestamps: true });
  } finally {
    await sandbox.dispose();
    await rm(logDir, { recursive: true, force: true });
  }
}

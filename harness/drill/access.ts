/**
 * The access phase: making an offline copy reachable before anything reads it. A declared wait
 * (tape recall) is not waited for: it is added to the RTO as declared. Steps are host commands, run
 * before any sandbox exists, because mounting a USB disk or waiting for a backup window are host
 * actions; they are only what the scenario's author wrote, never anything from the backup.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';
import { textTail } from '../secrets/text-tail.ts';
import type { Scenario } from '../scenario/load.ts';
import { formatDuration } from '../units.ts';
import type { TaskRunner } from './task-runner.ts';

export interface DeclaredAccess {
  ms: number;
  why: string;
}

/** Runs the scenario's access steps as a timed phase; returns a declared wait to add to the RTO. */
export async function accessPhase(scenario: Scenario, runner: TaskRunner, signal: AbortSignal): Promise<DeclaredAccess | undefined> {
  const access = scenario.spec.access;
  if (!access) return undefined;
  if ('wait' in access) return { ms: access.wait, why: access.why };
  await runner.phase('access', async () => {
    for (const step of access.steps) await hostStep(step.run, step.timeout, path.dirname(scenario.file), signal);
  });
  return undefined;
}

function hostStep(command: string, timeoutMs: number, cwd: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: timeoutMs, killSignal: 'SIGKILL' });
    let output = '';
    const keep = (chunk: Buffer) => (output = textTail(output + chunk.toString(), 4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => (timedOut = true), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new InfrastructureError('ACCESS_STEP_FAILED', `The access step "${command}" could not run: ${err.message}`));
    });
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      const tail = output.trimEnd().split('\n').slice(-5).join(' | ') || '(no output)';
      if (code === 0) resolve();
      else if (timedOut) reject(new InfrastructureError('ACCESS_STEP_TIMEOUT', `The access step "${command}" did not finish within ${formatDuration(timeoutMs)} (the offline copy was not reachable): ${tail}`));
      else reject(new InfrastructureError('ACCESS_STEP_FAILED', `The access step "${command}" exited with ${code ?? killedBy} (the offline copy was not reachable; run it by hand on this host to see why): ${tail}`));
    });
  });
}

/** How a command's end reads in a message: its exit code, and what a kill most likely means. */
import type { SandboxSpec } from '../scenario/schema.ts';
import { formatBytes } from '../units.ts';
import type { DriverName } from './sandbox.ts';

/** 128 + 9: the command was killed with SIGKILL, which in a memory-limited container is the out-of-memory kill. */
const KILLED = 137;

export function exitWords(exitCode: number, driver: DriverName, spec: Pick<SandboxSpec, 'memory'>): string {
  if (exitCode !== KILLED) return `exited ${exitCode}`;
  if (driver !== 'docker') return `was killed (exit ${KILLED}, SIGKILL)`;
  return `was killed (exit ${KILLED}): likely out of memory — raise sandbox.memory (now ${formatBytes(spec.memory)})`;
}

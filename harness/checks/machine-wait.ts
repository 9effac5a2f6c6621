/** What the machine checks share: the vm sandbox they need, deadlines, and screenshots into the results. */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../errors.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';
import type { Machine } from '../sandboxes/vm/machine.ts';
import { VmSandbox } from '../sandboxes/vm/vm-sandbox.ts';

export const POLL_MS = 1000;

export function vmOf(sandbox: Sandbox, check: string): VmSandbox {
  if (sandbox instanceof VmSandbox) return sandbox;
  throw new InputError('SANDBOX_KIND_MISMATCH', `the ${check} check needs a virtual machine (sandbox.kind: vm); this drill runs in the ${sandbox.driver} sandbox.`);
}

/** Retries `attempt` until it answers, the deadline passes, or the signal stops it; undefined at the deadline. */
export async function until<T>(deadlineMs: number, signal: AbortSignal, attempt: (left: number) => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    signal.throwIfAborted();
    const answer = await attempt(Math.max(1, deadline - performance.now()));
    if (answer !== undefined) return answer;
    if (performance.now() + POLL_MS > deadline) return undefined;
    await sleep(POLL_MS, undefined, { signal });
  }
}

/**
 * A PNG of the machine's screen in the results folder (logs/screen-NAME.png); its path relative to
 * the results folder, or undefined when QEMU could not take it (the machine had ended).
 */
export async function screenshot(vm: VmSandbox, machine: Machine, name: string): Promise<string | undefined> {
  const logDir = vm.logDir;
  const file = path.join(logDir, `screen-${name}.png`);
  try {
    await mkdir(logDir, { recursive: true });
    await machine.screendump(file, { timeoutMs: 10_000 });
    // QEMU writes the file after it answers; wait for it briefly.
    for (let i = 0; i < 20; i++) {
      if ((await stat(file).catch(() => undefined))?.size) return path.relative(path.dirname(logDir), file);
      await sleep(100);
    }
  } catch {
    // The machine ended: there is no screen to take.
  }
  return undefined;
}

/**
 * Which accelerator a drill machine uses. KVM can hang outright on a host whose CPU lacks
 * virtualisation (the vCPU spins in the kernel), so it is used only after a bounded probe: a guest
 * with no disk must print SeaBIOS's banner on the debug port within a few seconds; else TCG.
 */
import { mkdtemp, readFile, rm, access, constants } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { diesWithHarness } from './parent-death.ts';
import type { Accel } from './qemu-args.ts';

export const QEMU = 'qemu-system-x86_64';
const PROBE_MS = 3000;

export interface AccelChoice {
  accel: Accel;
  /** Why, in words, for the result. */
  reason: string;
}

export async function chooseAccel(asked: 'auto' | Accel, probe: () => Promise<string | undefined> = probeKvm): Promise<AccelChoice> {
  if (asked === 'tcg') return { accel: 'tcg', reason: 'the scenario asks for TCG (emulation)' };
  const failure = await probe();
  if (failure === undefined) return { accel: 'kvm', reason: 'KVM ran a probe guest' };
  return { accel: 'tcg', reason: `KVM is not usable here (${failure}): TCG emulation instead` };
}

/**
 * Undefined when the accelerator really runs a guest; else why not. On a CPU without virtualisation
 * SeaBIOS starts under KVM but hangs at its first option ROM: only a finished POST ("No bootable
 * device", the probe guest has none) counts.
 */
export async function probeKvm(accel: Accel = 'kvm', timeoutMs = PROBE_MS): Promise<string | undefined> {
  if (accel === 'kvm') {
    try {
      await access('/dev/kvm', constants.R_OK | constants.W_OK);
    } catch {
      return '/dev/kvm is missing or not accessible';
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-kvm-probe-'));
  const debugLog = path.join(dir, 'debug.log');
  const args = ['-machine', `q35,accel=${accel}`, '-nodefaults', '-no-user-config', '-display', 'none', '-m', '64M', '-chardev', `file,id=dbg,path=${debugLog}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dbg'];
  const child = spawn(...diesWithHarness(QEMU, args), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const failed = new Promise<string>((resolve) => child.once('error', (err) => resolve(`the probe could not start ${QEMU}: ${err.message}`)));
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ended = await Promise.race([failed, exited.then(() => 'ended'), sleep(100).then(() => undefined)]);
      if (ended && ended !== 'ended') return ended;
      if (POST_DONE.test(await readFile(debugLog, 'utf8').catch(() => ''))) return undefined;
      if (ended === 'ended') return `the probe guest ended at once: ${stderr.trim().split('\n').pop() || 'no message'}`;
    }
    return `a probe guest did not finish its firmware start within ${timeoutMs / 1000} s`;
  } finally {
    child.kill('SIGKILL');
    await Promise.race([exited, failed, sleep(2000)]);
    await rm(dir, { recursive: true, force: true });
  }
}

const POST_DONE = /No bootable device|Booting from/;

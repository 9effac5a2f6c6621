/**
 * The vm driver: a whole-machine drill. The disk image restored from the backup (or, for a folder
 * backup, read where it lies) is booted in a throwaway QEMU machine that writes only to a qcow2
 * overlay in the sandbox's scratch folder, with no network device unless ports are forwarded.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfrastructureError, InputError } from '../../errors.ts';
import { LocalSandboxDriver } from '../local.ts';
import { runProcess } from '../process.ts';
import { RestoreBudget } from '../restore-budget.ts';
import type { ProvisionRequest, Sandbox, SandboxDriver } from '../sandbox.ts';
import { chooseAccel, QEMU, type AccelChoice } from './accel.ts';
import { removeVmLeftovers, VM_PREFIX, writeOwner } from './leftovers.ts';
import { VmSandbox } from './vm-sandbox.ts';

export interface VmDriverOptions {
  baseDir?: string;
}

export class VmSandboxDriver implements SandboxDriver {
  readonly name = 'vm';
  private readonly baseDir: string;
  private readonly accel = new Map<string, Promise<AccelChoice>>();

  constructor(options: VmDriverOptions = {}) {
    this.baseDir = options.baseDir ?? os.tmpdir();
  }

  async available(): Promise<{ ok: boolean; reason?: string }> {
    for (const [tool, pkg] of [[QEMU, 'qemu-system-x86'], ['qemu-img', 'qemu-utils']] as const) {
      try {
        await runProcess(tool, ['--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 10_000 });
      } catch {
        return { ok: false, reason: `${tool} is not installed (the Debian package ${pkg})` };
      }
    }
    return { ok: true };
  }

  removeLeftovers(): Promise<string[]> {
    return removeVmLeftovers(this.baseDir);
  }

  async provision(request: ProvisionRequest): Promise<Sandbox> {
    request.signal?.throwIfAborted();
    const spec = request.spec;
    if (spec.kind !== 'vm' || !spec.vm) {
      throw new InputError('SANDBOX_KIND_MISMATCH', `the vm sandbox boots disk images: the scenario ${request.scenario} has no sandbox.kind: vm with sandbox.vm.disk. Drill it with --sandbox local or docker.`);
    }
    const availability = await this.available();
    if (!availability.ok) throw new InfrastructureError('VM_TOOL_MISSING', `The vm sandbox cannot run: ${availability.reason}.`);
    const accel = await this.accelFor(spec.vm.accel);
    await mkdir(this.baseDir, { recursive: true });
    const scratch = await mkdtemp(path.join(this.baseDir, `${VM_PREFIX}${request.scenario.slice(0, 24)}-`));
    try {
      await writeOwner(scratch, { pid: process.pid, host: os.hostname(), created: Date.now(), run: request.runId });
      // The restore before the boot happens in a local sandbox (bubblewrap) inside the scratch folder.
      const hostSide = await new LocalSandboxDriver({ baseDir: scratch }).provision(request);
      const budget = hostSide.budget ?? (await RestoreBudget.open(hostSide.hostRestoreDir, spec.restore_size));
      return new VmSandbox({ scratch, hostSide, budget, accel, request: { ...request, spec: { ...spec, vm: spec.vm } } });
    } catch (err) {
      await rm(scratch, { recursive: true, force: true });
      throw new InfrastructureError('VM_SANDBOX_FAILED', `Could not prepare a virtual machine sandbox in ${this.baseDir}: ${String(err)}`, { cause: err });
    }
  }

  /** One bounded probe per run and accelerator asked for. */
  private accelFor(asked: 'auto' | 'kvm' | 'tcg'): Promise<AccelChoice> {
    let choice = this.accel.get(asked);
    if (!choice) {
      choice = asked === 'kvm' ? chooseAccel('auto') : chooseAccel(asked);
      this.accel.set(asked, choice);
    }
    return choice;
  }
}

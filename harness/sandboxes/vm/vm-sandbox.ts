/**
 * A vm sandbox as the drill sees it: the restore folder (a local sandbox's, inside the scratch folder)
 * receives the disk image; the machine boots on first use (a readiness check, a command); exec runs
 * commands in the guest through its agent once it booted, and before that in the local sandbox
 * (bubblewrap): restored content is never handled with the host's rights. logTail is the serial
 * console; dispose stops QEMU, removes the local sandbox and the overlay.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { InfrastructureError } from '../../errors.ts';
import type { SandboxSpec } from '../../scenario/schema.ts';
import type { VmMachineSpec } from '../../scenario/vm-schema.ts';
import { ExecLog } from '../exec-log.ts';
import type { RestoreBudget } from '../restore-budget.ts';
import type { ExecOptions, ExecResult, Isolation, ProvisionRequest, Sandbox } from '../sandbox.ts';
import type { AccelChoice } from './accel.ts';
import { planBoot } from './boot-files.ts';
import { writeOwner } from './leftovers.ts';
import { Machine } from './machine.ts';

const GUEST_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface VmSandboxParts {
  scratch: string;
  /** Where the restore happens before the machine boots: its restore folder holds the disk image. */
  hostSide: Sandbox;
  budget: RestoreBudget;
  accel: AccelChoice;
  request: ProvisionRequest & { spec: SandboxSpec & { vm: VmMachineSpec } };
}

export class VmSandbox implements Sandbox {
  readonly driver = 'vm';
  readonly isolation: Isolation;
  readonly description: Record<string, string>;
  readonly restoreDir: string;
  readonly hostRestoreDir: string;
  readonly budget: RestoreBudget;
  readonly scratch: string;
  readonly accel: AccelChoice;
  /** The results' logs folder (screenshots go there too). */
  readonly logDir: string;
  private readonly parts: VmSandboxParts;
  private readonly log: ExecLog;
  private imageRoot: string;
  private booting: Promise<Machine> | undefined;
  private disposed = false;

  constructor(parts: VmSandboxParts) {
    this.parts = parts;
    this.scratch = parts.scratch;
    this.restoreDir = parts.hostSide.restoreDir;
    this.hostRestoreDir = parts.hostSide.hostRestoreDir;
    this.imageRoot = parts.hostSide.hostRestoreDir;
    this.budget = parts.budget;
    this.accel = parts.accel;
    this.logDir = parts.request.logDir;
    this.log = new ExecLog(parts.request.logDir, parts.request.redactor);
    const vm = parts.request.spec.vm;
    const forwarded = vm.forward.length > 0;
    this.description = { root: parts.scratch, accel: parts.accel.accel, accelReason: parts.accel.reason, firmware: vm.kernel ? 'direct kernel boot' : vm.firmware, diskBus: vm.disk_bus };
    const notes = [
      `the guest writes only to a throwaway overlay in ${parts.scratch}; the disk image is opened read-only`,
      `before the machine boots, the restore's commands run in the local sandbox: ${parts.hostSide.isolation.backupProtection}`,
      ...parts.hostSide.isolation.notes,
    ];
    if (forwarded) notes.push(`guest ports ${vm.forward.join(', ')} are forwarded to 127.0.0.1 only; the guest's user network is restricted (it reaches nothing, not even this host)`);
    if (parts.request.spec.network !== 'none') notes.push(`the vm sandbox has no named networks: '${parts.request.spec.network}' is not given to the guest`);
    this.isolation = {
      networkIsolated: true,
      network: forwarded ? 'restricted user network (forwards to 127.0.0.1 only)' : 'none (no network device)',
      backupProtection: 'disk image read-only behind a throwaway qcow2 overlay',
      notes,
    };
  }

  backupPath(hostPath: string): string {
    return hostPath;
  }

  adoptInPlace(folder: string): boolean {
    this.imageRoot = folder;
    this.description.imageRoot = folder;
    return true;
  }

  /** The running machine, booted on first call. */
  machine(): Promise<Machine> {
    if (this.disposed) return Promise.reject(new InfrastructureError('VM_START_FAILED', 'the virtual machine sandbox was already removed'));
    this.booting ??= this.boot();
    return this.booting;
  }

  /** The machine when it was booted, without booting it. */
  async bootedMachine(): Promise<Machine | undefined> {
    return this.booting?.catch(() => undefined);
  }

  hostAddress(guestPort: number): { host: string; port: number } | undefined {
    const port = this.parts.request.spec.vm.forward.includes(guestPort) ? this.forwards?.get(guestPort) : undefined;
    return port === undefined ? undefined : { host: '127.0.0.1', port };
  }

  /**
   * Before the machine boots (the restore: restic, borg, restore steps), commands run in the local
   * sandbox around the restore folder; once it booted, in the guest.
   */
  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    if (!this.booting) return this.parts.hostSide.exec(command, options);
    const started = performance.now();
    const machine = await this.machine();
    const agent = await machine.guestAgent({ timeoutMs: options.timeoutMs, signal: options.signal });
    const env = [GUEST_PATH, 'LANG=C.UTF-8', ...Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)];
    const run = await agent.exec('/bin/sh', ['-c', options.cwd ? `cd '${options.cwd.replace(/'/g, `'\\''`)}' && ${command}` : command], { timeoutMs: options.timeoutMs, signal: options.signal, env });
    const result = { ...run, durationMs: performance.now() - started };
    await this.log.record(command, result, options.env);
    return result;
  }

  async logTail(lines: number): Promise<string> {
    const machine = await this.bootedMachine();
    if (!machine) return '';
    return consoleTail(await machine.serialText(), lines);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const machine = await this.bootedMachine();
    try {
      await machine?.stop();
    } finally {
      await this.parts.hostSide.dispose();
      await rm(this.scratch, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  private forwards: Map<number, number> | undefined;

  private async boot(): Promise<Machine> {
    const { request } = this.parts;
    const plan = await planBoot({ root: this.imageRoot, scratch: this.scratch, name: `restore-drill-${request.runId}`, spec: request.spec, accel: this.accel, signal: request.signal });
    Object.assign(this.description, { disk: plan.image.file, diskFormat: plan.image.format, diskVirtualSize: String(plan.image.virtualSize) });
    this.forwards = plan.layout.forwards;
    const machine = await Machine.start(plan.layout, request.signal);
    await writeOwner(this.scratch, { pid: process.pid, host: os.hostname(), created: Date.now(), run: request.runId, qemuPid: machine.pid });
    return machine;
  }
}

/** The console's last lines, without terminal colour codes and carriage returns. */
export function consoleTail(text: string, lines: number): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return plain.trimEnd().split('\n').slice(-lines).join('\n');
}

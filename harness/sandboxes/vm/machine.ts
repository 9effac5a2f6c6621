/**
 * One running drill machine: the QEMU process, its QMP connection, its guest agent (connected on
 * demand) and its serial console log. `stop` quits it through QMP and kills it when it does not go.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../../errors.ts';
import { QEMU } from './accel.ts';
import { diesWithHarness } from './parent-death.ts';
import { GuestAgent } from './guest-agent.ts';
import type { Waits } from './json-socket.ts';
import { QmpClient } from './qmp.ts';
import { qemuArgs, type MachineLayout } from './qemu-args.ts';

const QMP_CONNECT_MS = 15_000;
const QUIT_MS = 5000;
const STDERR_KEPT = 4000;

export class Machine {
  readonly layout: MachineLayout;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private qmp: QmpClient | undefined;
  private agent: GuestAgent | undefined;
  private stderr = '';
  private exitCode: number | null | undefined;

  private constructor(layout: MachineLayout, child: ChildProcess) {
    this.layout = layout;
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEPT)));
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve((this.exitCode = code))));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(layout: MachineLayout, signal?: AbortSignal): Promise<Machine> {
    signal?.throwIfAborted();
    const child = spawn(...diesWithHarness(QEMU, qemuArgs(layout)), { stdio: ['ignore', 'ignore', 'pipe'] });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const machine = new Machine(layout, child);
    try {
      const connected = QmpClient.connect(layout.files.qmpSocket, { timeoutMs: QMP_CONNECT_MS, signal });
      const first = await Promise.race([connected, spawnError, machine.exited.then(() => 'exited' as const)]);
      if (first instanceof Error) {
        const missing = (first as NodeJS.ErrnoException).code === 'ENOENT';
        throw new InfrastructureError(missing ? 'VM_TOOL_MISSING' : 'VM_START_FAILED', missing ? `${QEMU} is not installed: install the Debian package qemu-system-x86.` : `QEMU could not be started: ${first.message}`);
      }
      if (first === 'exited') throw new InfrastructureError('VM_START_FAILED', `QEMU ended at once: ${machine.lastError()}`);
      machine.qmp = first;
      return machine;
    } catch (err) {
      await machine.stop();
      throw err instanceof InfrastructureError || signal?.aborted ? err : new InfrastructureError('VM_START_FAILED', `QEMU did not answer on its control socket: ${(err as Error).message}; ${machine.lastError()}`);
    }
  }

  /** Whether QEMU still runs; and when it ended, why (its last error line). */
  running(): boolean {
    return this.exitCode === undefined;
  }

  lastError(): string {
    return this.stderr.trim().split('\n').pop() || `exit ${this.exitCode ?? 'unknown'}`;
  }

  async serialText(): Promise<string> {
    return readFile(this.layout.files.serialLog, 'utf8').catch(() => '');
  }

  /** The guest's run state as QMP says it ("running", "guest-panicked", "shutdown" ...). */
  async status(waits: Waits): Promise<string> {
    if (!this.qmp || !this.running()) return 'ended';
    return this.qmp.status(waits);
  }

  /** QEMU's user network table (`info usernet`): each forwarded connection with its state toward the guest. */
  async usernet(waits: Waits): Promise<string> {
    if (!this.qmp || !this.running()) return '';
    return this.qmp.execute<string>('human-monitor-command', { 'command-line': 'info usernet' }, waits);
  }

  /** The guest agent, once it answers a sync within the wait. */
  async guestAgent(waits: Waits): Promise<GuestAgent> {
    this.agent ??= await GuestAgent.connect(this.layout.files.agentSocket, waits);
    return this.agent;
  }

  /** Forgets the agent connection (after a deadline the next call reconnects and resyncs). */
  dropAgent(): void {
    this.agent?.close();
    this.agent = undefined;
  }

  async screendump(file: string, waits: Waits): Promise<void> {
    if (!this.qmp) throw new InfrastructureError('VM_START_FAILED', 'the machine is not running');
    await this.qmp.execute('screendump', { filename: file, format: 'png' }, waits);
  }

  /** Quits QEMU (QMP quit, then SIGKILL after a grace period); safe to call more than once. */
  async stop(): Promise<void> {
    this.dropAgent();
    if (this.running()) {
      await this.qmp?.execute('quit', {}, { timeoutMs: 2000 }).catch(() => undefined);
      const gone = await Promise.race([this.exited.then(() => true), sleep(QUIT_MS).then(() => false)]);
      if (!gone) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    this.qmp?.close();
  }
}

/** Fakes of the role interfaces, for unit tests of the drill core. */
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Check, CheckContext, CheckResult } from '../../harness/checks/check.ts';
import type { FakeClock } from '../../harness/clock.ts';
import type { ExecResult, ProvisionRequest, Sandbox, SandboxDriver } from '../../harness/sandboxes/sandbox.ts';
import type { BackupSource, RestorePoint, RestoreProgress } from '../../harness/sources/source.ts';

export class FakeDriver implements SandboxDriver {
  readonly name = 'local';
  readonly provisioned: FakeSandbox[] = [];
  /** When set, every sandbox's dispose throws it (after removing its folder). */
  disposeFailure?: Error;
  async available() {
    return { ok: true };
  }
  async removeLeftovers() {
    return [];
  }
  async provision(request: ProvisionRequest): Promise<Sandbox> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rd-fake-'));
    const sandbox = new FakeSandbox(dir, request, this.disposeFailure);
    this.provisioned.push(sandbox);
    return sandbox;
  }
}

export class FakeSandbox implements Sandbox {
  readonly driver = 'local';
  readonly isolation = { networkIsolated: true, network: 'none', backupProtection: 'fake', notes: [] };
  readonly description = {};
  readonly restoreDir: string;
  readonly hostRestoreDir: string;
  readonly commands: { command: string; env?: Record<string, string> }[] = [];
  disposed = 0;
  exitCode = 0;
  readonly request: ProvisionRequest;
  private readonly disposeFailure: Error | undefined;
  constructor(dir: string, request: ProvisionRequest, disposeFailure?: Error) {
    this.request = request;
    this.disposeFailure = disposeFailure;
    this.restoreDir = dir;
    this.hostRestoreDir = dir;
  }
  backupPath(hostPath: string) {
    return hostPath;
  }
  async exec(command: string, options: { env?: Record<string, string> }): Promise<ExecResult> {
    this.commands.push({ command, env: options.env });
    return { exitCode: this.exitCode, stdout: '', stderr: '', durationMs: 1, timedOut: false };
  }
  async logTail() {
    return '';
  }
  async dispose() {
    this.disposed++;
    await rm(this.restoreDir, { recursive: true, force: true });
    if (this.disposeFailure) throw this.disposeFailure;
  }
  async [Symbol.asyncDispose]() {
    await this.dispose();
  }
}

/** The file a FakeSource's restore leaves in the sandbox, which a FakeCheck looks for. */
const RESTORED_MARK = '.fake-restored';

/** A source whose restore takes `restoreMs` on the fake clock, or throws. */
export class FakeSource implements BackupSource {
  readonly kind = 'command';
  readonly backupPaths = ['/backups'];
  private readonly clock: FakeClock;
  private readonly pointList: RestorePoint[];
  private readonly restoreMs: number;
  private readonly failure?: Error;
  constructor(clock: FakeClock, pointList: RestorePoint[], restoreMs = 1000, failure?: Error) {
    this.clock = clock;
    this.pointList = pointList;
    this.restoreMs = restoreMs;
    this.failure = failure;
  }
  async points() {
    return this.pointList;
  }
  async restore(_point: RestorePoint, options: { sandbox: Sandbox }): Promise<RestoreProgress> {
    this.clock.advance(this.restoreMs);
    if (this.failure) throw this.failure;
    await writeFile(path.join(options.sandbox.hostRestoreDir, RESTORED_MARK), 'restored');
    return { files: 3, bytes: 300 };
  }
}

/**
 * A check that takes `ms` on the fake clock and gives `status` where a FakeSource restored; where
 * nothing was restored (the negative control's empty sandbox) it fails, unless `passesOnNothing`.
 */
export class FakeCheck implements Check {
  readonly kind = 'command' as const;
  readonly name: string;
  readonly phase: 'verify' | 'ready';
  private readonly clock: FakeClock;
  private readonly ms: number;
  private readonly status: CheckResult['status'];
  private readonly passesOnNothing: boolean;
  constructor(name: string, phase: 'verify' | 'ready', clock: FakeClock, ms: number, status: CheckResult['status'] = 'pass', options: { passesOnNothing?: boolean } = {}) {
    this.passesOnNothing = options.passesOnNothing ?? false;
    this.name = name;
    this.phase = phase;
    this.clock = clock;
    this.ms = ms;
    this.status = status;
  }
  async run(context: CheckContext): Promise<CheckResult> {
    this.clock.advance(this.ms);
    const restored = await access(path.join(context.sandbox.hostRestoreDir, RESTORED_MARK)).then(() => true, () => false);
    const status = restored || this.passesOnNothing ? this.status : 'fail';
    return { kind: this.kind, name: this.name, phase: this.phase, status, summary: status, findings: [], findingCount: 0, durationMs: this.ms };
  }
}

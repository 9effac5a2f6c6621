/**
 * The embedded default: a fresh temporary folder per drill, commands run with a cleaned environment in
 * their own network namespace where this host allows it (`unshare`). Always removed, also on failure.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';
import { ExecLog } from './exec-log.ts';
import { leftoverJudge, leftoverReason, ownerRecord, readOwnerFile } from './leftovers.ts';
import { runProcess } from './process.ts';
import { RestoreBudget } from './restore-budget.ts';
import type { ExecOptions, ExecResult, Isolation, ProvisionRequest, Sandbox, SandboxDriver } from './sandbox.ts';

const PREFIX = 'restore-drill-';
const OWNER_FILE = 'owner.json';
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface LocalDriverOptions {
  /** Where sandbox folders are made (default: the system's temporary folder). */
  baseDir?: string;
}

export class LocalSandboxDriver implements SandboxDriver {
  readonly name = 'local';
  private readonly baseDir: string;
  private unshareArgs: Promise<string[] | undefined> | undefined;

  constructor(options: LocalDriverOptions = {}) {
    this.baseDir = options.baseDir ?? os.tmpdir();
  }

  async available(): Promise<{ ok: boolean; reason?: string }> {
    return { ok: true };
  }

  /** The `unshare` arguments that give a command no network on this host, or undefined. */
  networkIsolation(): Promise<string[] | undefined> {
    this.unshareArgs ??= probeUnshare();
    return this.unshareArgs;
  }

  async removeLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    const judge = leftoverJudge();
    for (const name of await readdir(this.baseDir).catch(() => [] as string[])) {
      if (!name.startsWith(PREFIX)) continue;
      const dir = path.join(this.baseDir, name);
      const reason = leftoverReason(await readOwnerFile(path.join(dir, OWNER_FILE)), judge);
      if (!reason) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(`removed the local sandbox ${dir} left by a run that ended without cleaning up: the ${reason}`);
    }
    return removed;
  }

  async provision(request: ProvisionRequest): Promise<Sandbox> {
    request.signal?.throwIfAborted();
    await mkdir(this.baseDir, { recursive: true });
    const root = await mkdtemp(path.join(this.baseDir, `${PREFIX}${request.scenario}-`));
    try {
      await writeFile(path.join(root, OWNER_FILE), JSON.stringify(ownerRecord(request.runId, request.scenario, new Date())));
      const folders = { restore: path.join(root, 'restore'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp') };
      await Promise.all(Object.values(folders).map((dir) => mkdir(dir, { recursive: true })));
      const unshare = await this.networkIsolation();
      const budget = await RestoreBudget.open(folders.restore, request.spec.restore_size);
      return new LocalSandbox(root, folders, { unshare, budget }, request);
    } catch (err) {
      await rm(root, { recursive: true, force: true });
      throw new InfrastructureError('LOCAL_SANDBOX_FAILED', `Could not prepare a local sandbox in ${this.baseDir}: ${String(err)}`, { cause: err });
    }
  }
}

class LocalSandbox implements Sandbox {
  readonly driver = 'local';
  readonly isolation: Isolation;
  readonly description: Record<string, string>;
  readonly restoreDir: string;
  readonly hostRestoreDir: string;
  readonly budget: RestoreBudget;
  private readonly root: string;
  private readonly folders: { restore: string; home: string; tmp: string };
  private readonly unshare: string[] | undefined;
  private readonly log: ExecLog;
  private disposed = false;

  constructor(
    root: string,
    folders: { restore: string; home: string; tmp: string },
    { unshare, budget }: { unshare: string[] | undefined; budget: RestoreBudget },
    request: ProvisionRequest,
  ) {
    this.root = root;
    this.folders = folders;
    this.unshare = unshare;
    this.budget = budget;
    this.restoreDir = folders.restore;
    this.hostRestoreDir = folders.restore;
    this.log = new ExecLog(request.logDir, request.redactor);
    this.description = { root, restoreLimit: budget.describe() };
    const networkAsked = request.spec.network;
    const notes: string[] = [];
    if (!unshare) notes.push('this host does not allow a private network namespace (unshare failed): commands could reach the network');
    if (networkAsked !== 'none') notes.push(`the local sandbox cannot provide the network '${networkAsked}': commands run with no network`);
    notes.push('the local sandbox cannot mount the backup read-only: the harness only ever opens it for reading');
    notes.push('memory, CPU and process limits apply only in the docker sandbox');
    this.isolation = {
      networkIsolated: unshare !== undefined,
      network: unshare ? 'none' : 'host',
      backupProtection: 'opened read-only by the harness',
      notes,
    };
  }

  backupPath(hostPath: string): string {
    return hostPath;
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    const env = {
      PATH: SAFE_PATH,
      HOME: this.folders.home,
      TMPDIR: this.folders.tmp,
      LANG: 'C.UTF-8',
      RESTORE_ROOT: this.restoreDir,
      ...options.env,
    };
    const [program, args] = this.unshare ? ['unshare', [...this.unshare, '--', '/bin/sh', '-c', command]] : ['/bin/sh', ['-c', command]];
    const result = await this.budget.during(
      options.signal,
      (signal) => runProcess(program, args as string[], { cwd: options.cwd ?? this.restoreDir, env, timeoutMs: options.timeoutMs, signal }),
      `the command "${command}"`,
    );
    await this.log.record(command, result, options.env);
    return result;
  }

  async logTail(): Promise<string> {
    return '';
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

async function probeUnshare(): Promise<string[] | undefined> {
  const candidates = process.getuid?.() === 0 ? [['--net'], ['--user', '--map-root-user', '--net']] : [['--user', '--map-root-user', '--net']];
  for (const args of candidates) {
    try {
      const result = await runProcess('unshare', [...args, '--', '/bin/true'], { env: { PATH: SAFE_PATH }, timeoutMs: 5000 });
      if (result.exitCode === 0) return args;
    } catch {
      // unshare is not installed
    }
  }
  return undefined;
}

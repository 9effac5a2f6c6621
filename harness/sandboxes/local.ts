/**
 * The embedded default: a fresh temporary folder per drill, and every command confined by bubblewrap
 * (bwrap.ts). Where bubblewrap cannot make a sandbox, scenario commands are refused unless the operator
 * opted in (--unsafe-local); commands the harness builds around a fixed tool (restic, borg) still run.
 * Always removed, also on failure.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';
import { probeBwrap, SANDBOX_UID, type Bwrap, type BwrapProbe } from './bwrap.ts';
import { ExecLog } from './exec-log.ts';
import { processesInside } from './folder-users.ts';
import { localIsolation, type Confinement } from './local-isolation.ts';
import { leftoverJudge, leftoverReason, ownerRecord, readOwnerFile } from './leftovers.ts';
import { VM_PREFIX } from './vm/leftovers.ts';
import { runProcess } from './process.ts';
import { RestoreBudget } from './restore-budget.ts';
import type { ExecOptions, ExecResult, Isolation, ProvisionRequest, Sandbox, SandboxDriver } from './sandbox.ts';

const PREFIX = 'restore-drill-';
const OWNER_FILE = 'owner.json';
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface LocalDriverOptions {
  /** Where sandbox folders are made (default: the system's temporary folder). */
  baseDir?: string;
  /** Run scenario commands without a sandbox where bubblewrap cannot make one (--unsafe-local). */
  unsafeLocal?: boolean;
}

export class LocalSandboxDriver implements SandboxDriver {
  readonly name = 'local';
  private readonly baseDir: string;
  private readonly unsafeLocal: boolean;
  private unshareArgs: Promise<string[] | undefined> | undefined;
  private bwrapProbe: Promise<BwrapProbe> | undefined;

  constructor(options: LocalDriverOptions = {}) {
    this.baseDir = options.baseDir ?? os.tmpdir();
    this.unsafeLocal = options.unsafeLocal ?? false;
  }

  /** Whether scenario commands can run here: in bubblewrap, or (opted in) without a sandbox. */
  async available(): Promise<{ ok: boolean; reason?: string }> {
    const probe = await this.bubblewrap();
    if (probe.ok) return { ok: true };
    return { ok: this.unsafeLocal, reason: probe.reason };
  }

  /** bubblewrap on this host, probed once. */
  bubblewrap(): Promise<BwrapProbe> {
    this.bwrapProbe ??= probeBwrap();
    return this.bwrapProbe;
  }

  /** The `unshare` arguments that give an unconfined command no network on this host, or undefined. */
  networkIsolation(): Promise<string[] | undefined> {
    this.unshareArgs ??= probeUnshare();
    return this.unshareArgs;
  }

  async confinement(): Promise<Confinement> {
    const probe = await this.bubblewrap();
    if (probe.ok) return { kind: 'bwrap', bwrap: probe.bwrap };
    return { kind: this.unsafeLocal ? 'unsafe' : 'refuse', reason: probe.reason, unshare: await this.networkIsolation() };
  }

  async removeLeftovers(): Promise<string[]> {
    const removed: string[] = [];
    const judge = leftoverJudge();
    for (const name of await readdir(this.baseDir).catch(() => [] as string[])) {
      // A virtual machine's scratch folder is the vm driver's: it also stops the machine's QEMU.
      if (!name.startsWith(PREFIX) || name.startsWith(VM_PREFIX)) continue;
      const dir = path.join(this.baseDir, name);
      const reason = leftoverReason(await readOwnerFile(path.join(dir, OWNER_FILE)), judge);
      if (!reason) continue;
      // An unconfined command (--unsafe-local) outlives a killed harness: never delete under it.
      if ((await processesInside(dir)).length > 0) continue;
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
      const folders = { restore: path.join(root, 'restore'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp'), etc: path.join(root, 'etc') };
      await Promise.all(Object.values(folders).map((dir) => mkdir(dir, { recursive: true })));
      await writeFile(path.join(folders.etc, 'passwd'), `root:x:0:0:root:/root:/bin/sh\nnobody:x:${SANDBOX_UID}:${SANDBOX_UID}:restore-drill:${folders.home}:/bin/sh\n`);
      await writeFile(path.join(folders.etc, 'group'), `root:x:0:\nnogroup:x:${SANDBOX_UID}:\n`);
      const budget = await RestoreBudget.open(folders.restore, request.spec.restore_size);
      return new LocalSandbox(root, folders, await this.confinement(), budget, request);
    } catch (err) {
      await rm(root, { recursive: true, force: true });
      throw new InfrastructureError('LOCAL_SANDBOX_FAILED', `Could not prepare a local sandbox in ${this.baseDir}: ${String(err)}`, { cause: err });
    }
  }
}

interface Folders {
  restore: string;
  home: string;
  tmp: string;
  etc: string;
}

class LocalSandbox implements Sandbox {
  readonly driver = 'local';
  readonly isolation: Isolation;
  readonly description: Record<string, string>;
  readonly restoreDir: string;
  readonly hostRestoreDir: string;
  private readonly root: string;
  private readonly folders: Folders;
  private readonly confinement: Confinement;
  private readonly backupPaths: string[];
  readonly budget: RestoreBudget;
  private readonly log: ExecLog;
  private disposed = false;

  constructor(root: string, folders: Folders, confinement: Confinement, budget: RestoreBudget, request: ProvisionRequest) {
    this.root = root;
    this.folders = folders;
    this.confinement = confinement;
    this.backupPaths = request.backupPaths;
    this.restoreDir = folders.restore;
    this.hostRestoreDir = folders.restore;
    this.budget = budget;
    this.log = new ExecLog(request.logDir, request.redactor);
    this.description = {
      root,
      confinement: confinement.kind === 'bwrap' ? 'bubblewrap' : confinement.kind === 'unsafe' ? 'none (--unsafe-local)' : 'none (commands refused)',
      restoreLimit: budget.describe(),
    };
    this.isolation = localIsolation(confinement, request.spec.network);
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
    const cwd = options.cwd ?? this.restoreDir;
    const [program, args] = this.commandLine(command, cwd, options);
    // In bubblewrap the working folder is set inside (--chdir); bwrap itself starts in the sandbox's root.
    const hostCwd = this.confinement.kind === 'bwrap' ? this.root : cwd;
    const result = await this.budget.during(
      options.signal,
      (signal) => runProcess(program, args, { cwd: hostCwd, env, timeoutMs: options.timeoutMs, signal, fd3: this.confinement.kind === 'bwrap' ? this.confinement.bwrap.seccomp.filter : undefined }),
      `the command "${command}"`,
    );
    await this.log.record(command, result, options.env);
    if (this.confinement.kind === 'bwrap' && result.exitCode === 1 && result.stderr.startsWith('bwrap: ')) {
      // The sandbox could not be set up: the command never ran, so this is not the backup's fault.
      throw new InfrastructureError('LOCAL_SANDBOX_FAILED', `bubblewrap could not set up the sandbox for "${command.slice(0, 80)}": ${result.stderr.trim().split('\n')[0]}`);
    }
    return result;
  }

  private commandLine(command: string, cwd: string, options: ExecOptions): [string, string[]] {
    const shell = ['/bin/sh', '-c', command];
    const c = this.confinement;
    if (c.kind === 'bwrap') return [c.bwrap.program, [...this.bwrapArgs(c.bwrap, cwd), ...shell]];
    if (c.kind === 'refuse' && !options.harnessCommand) {
      throw new InfrastructureError(
        'LOCAL_SANDBOX_UNAVAILABLE',
        `The local sandbox will not run "${command.slice(0, 80)}": ${c.reason}, and without it the command would run with this host's full rights on a backup that may be hostile. ` +
          'Install it (Debian/Ubuntu: apt-get install bubblewrap), use --sandbox docker, or accept the risk with --unsafe-local.',
      );
    }
    return c.unshare ? ['unshare', [...c.unshare, '--', ...shell]] : [shell[0]!, shell.slice(1)];
  }

  private bwrapArgs(bwrap: Bwrap, cwd: string): string[] {
    const { restore, home, tmp, etc } = this.folders;
    return bwrap.args({ passwd: path.join(etc, 'passwd'), group: path.join(etc, 'group'), readOnly: this.backupPaths, writable: [restore, home, tmp], cwd });
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

/**
 * One docker sandbox once provisioned: commands through exec (under `timeout`, output streamed and
 * kept apart, transcript in logs/exec.log), the service's and the container's log, and a teardown that
 * undoes every step of provisioning, in reverse, also when one of them fails.
 */
import path from 'node:path';
import { InfrastructureError, errorMessage } from '../errors.ts';
import { formatBytes } from '../units.ts';
import type { ContainerRuntimeClient, ContainerSpec, ImageInfo } from './docker-runtime.ts';
import type { ExecLog } from './exec-log.ts';
import { TailBuffer } from './process.ts';
import type { RestoreBudget } from './restore-budget.ts';
import type { ExecOptions, ExecResult, Isolation, Sandbox } from './sandbox.ts';

export const RESTORE_DIR = '/restore';
/** How long after its own `timeout` should have stopped a command the harness stops waiting for it. */
const EXEC_BACKSTOP_MS = 5000;

export interface DockerSandboxParts {
  client: ContainerRuntimeClient;
  containerId: string;
  containerName: string;
  networkMode: string;
  image: string;
  imageInfo: ImageInfo;
  backups: { source: string; target: string }[];
  hostRestoreDir: string;
  budget: RestoreBudget;
  start: string | undefined;
  hasTimeout: boolean;
  /** What the engine was asked for: the report describes exactly this. */
  container: ContainerSpec;
  notes: string[];
  undo: UndoStack;
  log: ExecLog;
}

export class DockerSandbox implements Sandbox {
  readonly driver = 'docker';
  readonly isolation: Isolation;
  readonly description: Record<string, string>;
  readonly restoreDir = RESTORE_DIR;
  readonly hostRestoreDir: string;
  readonly budget: RestoreBudget;
  private readonly parts: DockerSandboxParts;
  private serviceOutput = '';
  private disposed: Promise<void> | undefined;

  constructor(parts: DockerSandboxParts) {
    this.parts = parts;
    this.hostRestoreDir = parts.hostRestoreDir;
    this.budget = parts.budget;
    this.isolation = {
      networkIsolated: true,
      network: parts.networkMode,
      backupProtection: 'read-only mount',
      notes: parts.notes,
    };
    this.description = {
      image: parts.image,
      imageId: parts.imageInfo.id,
      imageDigest: parts.imageInfo.repoDigests[0] ?? parts.imageInfo.id,
      container: parts.containerName,
      containerId: parts.containerId,
      network: parts.networkMode,
      capabilities: describeCapabilities(parts.container),
      privileges: parts.container.noNewPrivileges ? 'no new privileges' : 'setuid programs may gain privileges',
      limits: describeLimits(parts.container),
      backupMounts: parts.backups.map((b) => `${b.target} (read-only)`).join(', ') || 'none',
      restoreMount: `${RESTORE_DIR} (host folder ${parts.hostRestoreDir})`,
      restoreLimit: parts.budget.describe(),
      ...(parts.start ? { startCommand: parts.start } : {}),
    };
  }

  backupPath(hostPath: string): string {
    const absolute = path.resolve(hostPath);
    const mount = this.parts.backups
      .filter((b) => absolute === b.source || absolute.startsWith(b.source + path.sep))
      .sort((a, b) => b.source.length - a.source.length)[0];
    if (!mount) {
      throw new InfrastructureError('BACKUP_NOT_MOUNTED', `${hostPath} is not among the backup folders mounted into the sandbox (${this.parts.backups.map((b) => b.source).join(', ') || 'none'}).`);
    }
    return path.posix.join(mount.target, path.relative(mount.source, absolute).split(path.sep).join('/'));
  }

  exec(command: string, options: ExecOptions): Promise<ExecResult> {
    return this.budget.during(options.signal, (signal) => this.execInside(command, { ...options, signal }), `the command "${command}"`);
  }

  private async execInside(command: string, options: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    const stdout = new TailBuffer();
    const stderr = new TailBuffer();
    const stop = new AbortController();
    const onAbort = () => stop.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let abandoned = false;
    const backstop = setTimeout(() => {
      abandoned = true;
      stop.abort();
    }, options.timeoutMs + (this.parts.hasTimeout ? EXEC_BACKSTOP_MS : 0));
    const seconds = (options.timeoutMs / 1000).toFixed(3);
    const cmd = this.parts.hasTimeout ? ['timeout', '-k', '2', `${seconds}s`, '/bin/sh', '-c', command] : ['/bin/sh', '-c', command];
    let exitCode: number | undefined;
    try {
      options.signal?.throwIfAborted();
      exitCode = await this.parts.client.exec(this.parts.containerId, {
        cmd,
        env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
        workingDir: this.containerPath(options.cwd),
        onStdout: (chunk) => stdout.push(chunk),
        onStderr: (chunk) => stderr.push(chunk),
        signal: stop.signal,
      });
    } finally {
      clearTimeout(backstop);
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (options.signal?.aborted) throw options.signal.reason;
    const durationMs = performance.now() - started;
    // `timeout` exits 124 when it stopped the command (137 when it had to kill it).
    const timedOut = abandoned || ((exitCode === 124 || exitCode === 137) && durationMs >= options.timeoutMs - 50);
    const result: ExecResult = { exitCode: exitCode ?? 137, stdout: stdout.text(), stderr: stderr.text(), durationMs, timedOut };
    if (this.parts.start && (command.includes(this.parts.start) || command.includes(path.posix.basename(this.parts.start)) || command.includes('RESTORE_DRILL_START'))) {
      this.serviceOutput = `${result.stderr}${result.stdout}`.trimEnd();
    }
    await this.parts.log.record(command, result, options.env);
    return result;
  }

  async logTail(lines: number): Promise<string> {
    const own = await this.parts.client.logs(this.parts.containerId, lines).catch(() => '');
    const service = this.serviceOutput.split('\n').slice(-lines).join('\n');
    return [own.trimEnd(), service ? `[${this.parts.start}]\n${service}` : ''].filter(Boolean).join('\n');
  }

  dispose(): Promise<void> {
    this.disposed ??= this.parts.undo.run().then((problems) => {
      if (problems.length > 0) {
        throw new InfrastructureError(
          'DOCKER_TEARDOWN_FAILED',
          `The docker sandbox ${this.parts.containerName} was not completely removed: ${problems.join('; ')}. The next run removes what is left.`,
        );
      }
    });
    return this.disposed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /** A working directory as the container sees it (a host path inside the restore folder is mapped). */
  private containerPath(cwd: string | undefined): string {
    if (!cwd) return RESTORE_DIR;
    const relative = path.relative(this.hostRestoreDir, cwd);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) return path.posix.join(RESTORE_DIR, relative.split(path.sep).join('/'));
    return cwd;
  }
}

/** Teardowns in reverse order of the setups; every one is tried, failures are collected. */
export class UndoStack {
  private readonly steps: (() => Promise<unknown>)[] = [];
  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  /** Runs and empties the stack; returns what failed (nothing when all went well). */
  async run(): Promise<string[]> {
    const problems: string[] = [];
    while (this.steps.length > 0) {
      try {
        await this.steps.pop()!();
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }
    return problems;
  }
}

function describeCapabilities(spec: ContainerSpec): string {
  const dropped = spec.capDrop.includes('ALL') ? 'all dropped' : `dropped: ${spec.capDrop.join(', ') || 'none'}`;
  return spec.capAdd.length > 0 ? `${dropped}, added back: ${spec.capAdd.join(', ')}` : dropped;
}

function describeLimits(spec: ContainerSpec): string {
  const swap = spec.memorySwapBytes === spec.memoryBytes ? ' (no swap)' : '';
  return `memory ${formatBytes(spec.memoryBytes)}${swap}, ${spec.nanoCpus / 1e9} CPU, ${spec.pidsLimit} processes`;
}

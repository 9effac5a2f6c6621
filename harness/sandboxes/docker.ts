/**
 * The docker sandbox: one throwaway container per drill, made from the scenario's image.
 *
 *  - isolated by default: network none (or an internal network made for the drill), every capability
 *    dropped except those the image's label declares, no new privileges, memory/CPU/pids limits;
 *  - the backup's folders bind-mounted read-only at /backup/0, /backup/1, ...;
 *  - the restore folder is a host folder bind-mounted at /restore, so that the sources extract into it
 *    and the harness hashes it on the host;
 *  - the container's main process only keeps it alive; everything runs through exec. An image's
 *    service (io.restore-drill.start) is started by the scenario's restore steps, which call it by name
 *    or as $RESTORE_DRILL_START, and only when the scenario needs it;
 *  - everything carries restore-drill.* labels, and is removed on every path; what a killed run left
 *    behind is removed by the next run (removeLeftovers).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DrillError, InfrastructureError, errorMessage } from '../errors.ts';
import { parseDuration } from '../units.ts';
import { DockerodeRuntimeClient } from './docker-dockerode.ts';
import { imageCapabilities, imageStartCommand, IMAGE_LABEL } from './docker-image.ts';
import { currentOwner, DEFAULT_LEFTOVER_GRACE_MS, LABEL, labelsFor, leftoverReason, processAlive, type LeftoverJudge } from './docker-labels.ts';
import type { ContainerRuntimeClient, ImageInfo, Labelled } from './docker-runtime.ts';
import { ExecLog } from './exec-log.ts';
import { TailBuffer } from './process.ts';
import type { ExecOptions, ExecResult, Isolation, ProvisionRequest, Sandbox, SandboxDriver } from './sandbox.ts';

const RESTORE_DIR = '/restore';
const BACKUP_DIR = '/backup';
const HOST_PREFIX = 'restore-drill-docker-';
const OWNER_FILE = 'owner.json';
const PING_TIMEOUT_MS = 3000;
/** How long after its own `timeout` should have stopped a command the harness stops waiting for it. */
const EXEC_BACKSTOP_MS = 5000;
const KEEP_ALIVE = ['sleep', 'infinity'];

export interface DockerDriverOptions {
  client?: ContainerRuntimeClient;
  /** Where the host side of restore folders is made (default: the system's temporary folder). */
  baseDir?: string;
  /** Leftovers younger than this are left alone (default: RESTORE_DRILL_LEFTOVER_GRACE, else 60s). */
  leftoverGraceMs?: number;
  now?: () => Date;
}

export class DockerSandboxDriver implements SandboxDriver {
  readonly name = 'docker';
  private readonly options: DockerDriverOptions;
  private clientInstance: ContainerRuntimeClient | undefined;

  constructor(options: DockerDriverOptions = {}) {
    this.options = options;
    this.clientInstance = options.client;
  }

  get client(): ContainerRuntimeClient {
    this.clientInstance ??= new DockerodeRuntimeClient();
    return this.clientInstance;
  }

  private get baseDir(): string {
    return this.options.baseDir ?? os.tmpdir();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async available(): Promise<{ ok: boolean; reason?: string }> {
    try {
      await this.client.ping(PING_TIMEOUT_MS);
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: errorMessage(err) };
    }
  }

  async removeLeftovers(): Promise<string[]> {
    const judge: LeftoverJudge = { now: this.now().getTime(), host: os.hostname(), graceMs: leftoverGrace(this.options), alive: processAlive };
    const removed: string[] = [];
    let labelled: Labelled[];
    try {
      await this.client.ping(PING_TIMEOUT_MS);
      labelled = await this.client.listLabelled(LABEL.run);
    } catch {
      // No engine: nothing can be looked at now; provisioning says so as the drill's ERROR.
      labelled = [];
    }
    // Containers first: a network cannot be removed while a container is on it.
    for (const thing of [...labelled.filter((t) => t.kind === 'container'), ...labelled.filter((t) => t.kind === 'network')]) {
      const reason = leftoverReason(thing, judge);
      if (!reason) continue;
      try {
        await (thing.kind === 'container' ? this.client.removeContainer(thing.id) : this.client.removeNetwork(thing.id));
        removed.push(`removed the ${thing.kind} ${thing.name} left behind by a run that ended without cleaning up: the ${reason}`);
      } catch (err) {
        removed.push(`could not remove the ${thing.kind} ${thing.name} left behind by an earlier run: ${errorMessage(err)}`);
      }
    }
    removed.push(...(await removeHostLeftovers(this.baseDir, judge)));
    return removed;
  }

  async provision(request: ProvisionRequest): Promise<Sandbox> {
    const client = this.client;
    const undo = new UndoStack();
    try {
      await client.ping(PING_TIMEOUT_MS);
      const spec = request.spec;
      const image = await client.inspectImage(spec.image);
      if (!image) throw missingImage(spec.image);
      const capAdd = imageCapabilities(spec.image, image.labels);
      const owner = currentOwner(request.runId, request.scenario, this.now());
      const labels = labelsFor(owner);

      await mkdir(this.baseDir, { recursive: true });
      const hostRoot = await mkdtemp(path.join(this.baseDir, `${HOST_PREFIX}${request.scenario}-`));
      undo.push(() => rm(hostRoot, { recursive: true, force: true, maxRetries: 3 }));
      await writeFile(path.join(hostRoot, OWNER_FILE), JSON.stringify({ pid: owner.pid, created: owner.created.getTime(), run: owner.runId }));
      const hostRestoreDir = path.join(hostRoot, 'restore');
      await mkdir(hostRestoreDir);
      // Inside a 0700 folder: open to the container's users (a service may write its data here).
      await chmod(hostRestoreDir, 0o777);
      request.signal?.throwIfAborted();

      let networkMode = 'none';
      let networkId: string | undefined;
      if (spec.network !== 'none') {
        networkMode = `restore-drill-${request.runId}-${spec.network}`.toLowerCase();
        networkId = await client.createNetwork({ name: networkMode, labels });
        undo.push(() => client.removeNetwork(networkId!));
        request.signal?.throwIfAborted();
      }

      const backups = request.backupPaths.map((source, i) => ({ source: path.resolve(source), target: `${BACKUP_DIR}/${i}` }));
      const start = imageStartCommand(image.labels);
      const containerName = `restore-drill-${request.scenario}-${request.runId}`.toLowerCase();
      const containerId = await client.runContainer({
        name: containerName,
        image: spec.image,
        cmd: KEEP_ALIVE,
        env: ['LANG=C.UTF-8', `RESTORE_ROOT=${RESTORE_DIR}`, ...(start ? [`RESTORE_DRILL_START=${start}`] : [])],
        workingDir: RESTORE_DIR,
        labels,
        mounts: [
          ...backups.map((b) => ({ source: b.source, target: b.target, readOnly: true })),
          { source: hostRestoreDir, target: RESTORE_DIR, readOnly: false },
        ],
        networkMode,
        capAdd,
        memoryBytes: spec.memory,
        nanoCpus: Math.round(spec.cpus * 1e9),
        pidsLimit: spec.pids,
      });
      undo.push(() => client.removeContainer(containerId));
      request.signal?.throwIfAborted();

      const features = await client.features();
      const notes: string[] = [];
      if (spec.network !== 'none') notes.push(`the sandbox is on its own internal network ${networkMode}, made for this drill (no route out of the engine)`);
      if (capAdd.length > 0) notes.push(`capabilities added back because the image ${spec.image} declares them for its service: ${capAdd.join(', ')}`);
      if (!features.memoryLimit) notes.push('this Docker engine cannot limit memory (no memory cgroup): the memory limit is not enforced');
      if (!features.cpuLimit) notes.push('this Docker engine cannot limit CPU (no CFS quota): the CPU limit is not enforced');
      if (!features.pidsLimit) notes.push('this Docker engine cannot limit processes (no pids cgroup): the pids limit is not enforced');
      if (spec.restore_size !== undefined) notes.push('sandbox.restore_size is not enforced: the restore folder is a host folder mounted into the container, so that the harness can hash it');
      const hasTimeout = image.labels[IMAGE_LABEL.name] !== undefined || (await probeTimeout(client, containerId));
      if (!hasTimeout) notes.push(`the image ${spec.image} has no "timeout" command: a command that overruns is abandoned, and stopped only when the sandbox is removed`);

      return new DockerSandbox({
        client,
        containerId,
        containerName,
        networkMode,
        image: spec.image,
        imageInfo: image,
        backups,
        hostRestoreDir,
        start,
        hasTimeout,
        capAdd,
        limits: `memory ${spec.memory} bytes, ${spec.cpus} CPU, ${spec.pids} processes`,
        notes,
        undo,
        log: new ExecLog(request.logDir),
      });
    } catch (err) {
      const undone = await undo.run();
      if (request.signal?.aborted) throw request.signal.reason;
      if (err instanceof DrillError) throw err;
      throw new InfrastructureError('DOCKER_SANDBOX_FAILED', `Could not prepare a docker sandbox from ${request.spec.image}: ${errorMessage(err)}${undone}`, { cause: err });
    }
  }
}

interface DockerSandboxParts {
  client: ContainerRuntimeClient;
  containerId: string;
  containerName: string;
  networkMode: string;
  image: string;
  imageInfo: ImageInfo;
  backups: { source: string; target: string }[];
  hostRestoreDir: string;
  start: string | undefined;
  hasTimeout: boolean;
  capAdd: string[];
  limits: string;
  notes: string[];
  undo: UndoStack;
  log: ExecLog;
}

class DockerSandbox implements Sandbox {
  readonly driver = 'docker';
  readonly isolation: Isolation;
  readonly description: Record<string, string>;
  readonly restoreDir = RESTORE_DIR;
  readonly hostRestoreDir: string;
  private readonly parts: DockerSandboxParts;
  private serviceOutput = '';
  private disposed: Promise<void> | undefined;

  constructor(parts: DockerSandboxParts) {
    this.parts = parts;
    this.hostRestoreDir = parts.hostRestoreDir;
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
      capabilities: parts.capAdd.length > 0 ? `all dropped, added back: ${parts.capAdd.join(', ')}` : 'all dropped',
      limits: parts.limits,
      backupMounts: parts.backups.map((b) => `${b.target} (read-only)`).join(', ') || 'none',
      restoreMount: `${RESTORE_DIR} (host folder ${parts.hostRestoreDir})`,
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

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
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
    await this.parts.log.record(command, result, Object.values(options.env ?? {}));
    return result;
  }

  async logTail(lines: number): Promise<string> {
    const own = await this.parts.client.logs(this.parts.containerId, lines).catch(() => '');
    const service = this.serviceOutput.split('\n').slice(-lines).join('\n');
    return [own.trimEnd(), service ? `[${this.parts.start}]\n${service}` : ''].filter(Boolean).join('\n');
  }

  dispose(): Promise<void> {
    this.disposed ??= this.parts.undo.run().then((problems) => {
      if (problems) throw new InfrastructureError('DOCKER_TEARDOWN_FAILED', `The docker sandbox ${this.parts.containerName} was not completely removed:${problems} The next run removes what is left.`);
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
class UndoStack {
  private readonly steps: (() => Promise<unknown>)[] = [];
  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  /** Runs and empties the stack; returns the failures as text ('' when all went well). */
  async run(): Promise<string> {
    const problems: string[] = [];
    while (this.steps.length > 0) {
      try {
        await this.steps.pop()!();
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }
    return problems.length > 0 ? ` (cleaning up also failed: ${problems.join('; ')})` : '';
  }
}

function missingImage(image: string): InfrastructureError {
  const name = /^restore-drill\/([a-z0-9._-]+)(:latest)?$/.exec(image)?.[1];
  const how = name ? `Build it with "restore-drill images build ${name}"` : 'Build it, or load it with "docker load"';
  return new InfrastructureError('DOCKER_IMAGE_MISSING', `The image ${image} is not on this Docker engine. ${how} (no registry is contacted at drill time; see images/README.md).`);
}

async function probeTimeout(client: ContainerRuntimeClient, containerId: string): Promise<boolean> {
  const code = await client.exec(containerId, {
    cmd: ['/bin/sh', '-c', 'command -v timeout'],
    env: [],
    workingDir: '/',
    onStdout: () => undefined,
    onStderr: () => undefined,
    signal: AbortSignal.timeout(10_000),
  });
  return code === 0;
}

function leftoverGrace(options: DockerDriverOptions): number {
  if (options.leftoverGraceMs !== undefined) return options.leftoverGraceMs;
  const fromEnv = process.env.RESTORE_DRILL_LEFTOVER_GRACE;
  return (fromEnv ? parseDuration(fromEnv) : undefined) ?? DEFAULT_LEFTOVER_GRACE_MS;
}

/** Host restore folders of docker sandboxes whose run is gone. */
async function removeHostLeftovers(baseDir: string, judge: LeftoverJudge): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(baseDir).catch(() => [] as string[])) {
    if (!name.startsWith(HOST_PREFIX)) continue;
    const dir = path.join(baseDir, name);
    let owner: { pid: number; created: number };
    try {
      owner = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as { pid: number; created: number };
    } catch {
      continue; // not ours, or still being made
    }
    if (judge.now - owner.created < judge.graceMs || judge.alive(owner.pid)) continue;
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      removed.push(`removed the restore folder ${dir} left behind by a run that ended without cleaning up (process ${owner.pid})`);
    } catch (err) {
      removed.push(`could not remove the restore folder ${dir} left behind by an earlier run: ${errorMessage(err)}`);
    }
  }
  return removed;
}

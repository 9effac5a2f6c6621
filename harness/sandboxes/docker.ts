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
import { mkdir, mkdtemp, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DrillError, InfrastructureError, errorMessage } from '../errors.ts';
import { sandboxSchema } from '../scenario/schema.ts';
import { DockerodeRuntimeClient } from './docker-dockerode.ts';
import { backupMounts } from './docker-mounts.ts';
import { CONTAINER_ISOLATION, containerLimits, drillNetwork } from './docker-policy.ts';
import { imageCapabilities, imageStartCommand, IMAGE_LABEL } from './docker-image.ts';
import { currentOwner, LABEL, labelsFor, ownerFromLabels } from './docker-labels.ts';
import { leftoverJudge, leftoverReason, ownerRecord, readOwnerFile, type LeftoverJudge } from './leftovers.ts';
import type { ContainerRuntimeClient, ContainerSpec, EngineFeatures, Labelled } from './docker-runtime.ts';
import { ExecLog } from './exec-log.ts';
import { DockerSandbox, RESTORE_DIR, UndoStack } from './docker-sandbox.ts';
import { RestoreBudget } from './restore-budget.ts';
import { createPlanNetwork } from './docker-plan-network.ts';
import type { PlanNetworkHandle, ProvisionRequest, Sandbox, SandboxDriver } from './sandbox.ts';

const HOST_PREFIX = 'restore-drill-docker-';
/** Not the local sandbox's owner.json: each driver removes only its own leftovers. */
const OWNER_FILE = 'docker-owner.json';
const PING_TIMEOUT_MS = 3000;
const KEEP_ALIVE = ['sleep', 'infinity'];
const DEFAULT_IMAGE = sandboxSchema.parse({}).image;

export interface DockerDriverOptions {
  client?: ContainerRuntimeClient;
  /** Where the host side of restore folders is made (default: the system's temporary folder). */
  baseDir?: string;
  /** Leftovers younger than this are left alone (default: RESTORE_DRILL_LEFTOVER_GRACE, else 60 s; see leftovers.ts). */
  leftoverGraceMs?: number;
  now?: () => Date;
  /** Removes a host folder (default: fs.rm); tests make it fail as it does for a harness that is not root. */
  removeFolder?: (dir: string) => Promise<void>;
}

export class DockerSandboxDriver implements SandboxDriver {
  readonly name = 'docker';
  private readonly options: DockerDriverOptions;
  private clientInstance: ContainerRuntimeClient | undefined;
  /** What the engine can limit: asked once per driver. */
  private features: Promise<EngineFeatures> | undefined;

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

  /** Whether an engine answers and the default sandbox image is on it (what `--sandbox auto` asks). */
  async available(): Promise<{ ok: boolean; reason?: string }> {
    const engine = await this.engineAvailable();
    if (!engine.ok) return engine;
    const image = DEFAULT_IMAGE;
    try {
      if (await this.client.inspectImage(image)) return { ok: true };
      return { ok: false, reason: `the Docker engine answers, but the sandbox image ${image} is not built yet (run "restore-drill images build")` };
    } catch (err) {
      return { ok: false, reason: errorMessage(err) };
    }
  }

  /** Whether an engine answers within a few seconds, and if not, why. */
  async engineAvailable(): Promise<{ ok: boolean; reason?: string }> {
    try {
      await this.client.ping(PING_TIMEOUT_MS);
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: errorMessage(err) };
    }
  }

  async removeLeftovers(): Promise<string[]> {
    const judge = leftoverJudge({ now: this.now(), graceMs: this.options.leftoverGraceMs });
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
      const reason = leftoverReason(ownerFromLabels(thing.labels), judge);
      if (!reason) continue;
      try {
        await (thing.kind === 'container' ? this.client.removeContainer(thing.id) : this.client.removeNetwork(thing.id));
        removed.push(`removed the ${thing.kind} ${thing.name} left behind by a run that ended without cleaning up: the ${reason}`);
      } catch (err) {
        removed.push(`could not remove the ${thing.kind} ${thing.name} left behind by an earlier run: ${errorMessage(err)}`);
      }
    }
    removed.push(...(await removeHostLeftovers(this.baseDir, judge, (dir) => this.removeHostFolder(dir, DEFAULT_IMAGE))));
    return removed;
  }

  /**
   * Removes a sandbox's host folder. Files that the container's users made there (a database's 0700
   * data folder) may not be removable by a harness that is not root; those are removed from a
   * short-lived helper container that may override file permissions, with no network.
   */
  private async removeHostFolder(hostRoot: string, image: string): Promise<void> {
    const removeFolder = this.options.removeFolder ?? ((dir: string) => rm(dir, { recursive: true, force: true, maxRetries: 3 }));
    try {
      await removeFolder(hostRoot);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM' && code !== 'ENOTEMPTY') throw err;
    }
    const helper = await this.client.runContainer({
      name: `restore-drill-cleanup-${path.basename(hostRoot).toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}`,
      image,
      cmd: KEEP_ALIVE,
      env: [],
      workingDir: '/',
      labels: labelsFor(currentOwner('cleanup', 'cleanup', this.now())),
      mounts: [{ source: hostRoot, target: '/cleanup', readOnly: false }],
      networkMode: 'none',
      ...CONTAINER_ISOLATION,
      capAdd: ['DAC_OVERRIDE', 'FOWNER'],
      ...containerLimits(256 * 1024 ** 2, 1, 64),
    });
    try {
      await this.client.exec(helper, {
        cmd: ['rm', '-rf', '--one-file-system', '/cleanup/restore'],
        env: [],
        workingDir: '/',
        onStdout: () => undefined,
        onStderr: () => undefined,
        signal: AbortSignal.timeout(120_000),
      });
    } finally {
      await this.client.removeContainer(helper);
    }
    await removeFolder(hostRoot);
  }

  planNetwork(runId: string, plan: string): Promise<PlanNetworkHandle> {
    return createPlanNetwork(this.client, runId, plan, this.now());
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
      undo.push(() => this.removeHostFolder(hostRoot, spec.image));
      await writeFile(path.join(hostRoot, OWNER_FILE), JSON.stringify(ownerRecord(owner.runId, owner.scenario, owner.created)));
      const hostRestoreDir = path.join(hostRoot, 'restore');
      await mkdir(hostRestoreDir);
      // Inside a 0700 folder: open to the container's users (a service may write its data here).
      await chmod(hostRestoreDir, 0o777);
      request.signal?.throwIfAborted();

      let networkMode = request.join?.network ?? 'none';
      let networkId: string | undefined;
      if (spec.network !== 'none' && !request.join) {
        networkMode = `restore-drill-${request.runId}-${spec.network}`.toLowerCase();
        networkId = await client.createNetwork(drillNetwork(networkMode, labels));
        undo.push(() => client.removeNetwork(networkId!));
        request.signal?.throwIfAborted();
      }

      const backups = await backupMounts(request.backupPaths);
      const start = imageStartCommand(image.labels);
      const containerName = `restore-drill-${request.scenario}-${request.runId}`.toLowerCase();
      const container: ContainerSpec = {
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
        ...(request.join ? { aliases: [request.join.alias] } : {}),
        ...CONTAINER_ISOLATION,
        capAdd,
        ...containerLimits(spec.memory, spec.cpus, spec.pids),
      };
      const containerId = await client.runContainer(container);
      undo.push(() => client.removeContainer(containerId));
      request.signal?.throwIfAborted();

      this.features ??= client.features().catch((err: unknown) => {
        this.features = undefined;
        throw err;
      });
      const features = await this.features;
      const notes: string[] = [];
      if (request.join) notes.push(`the sandbox is on the internal network ${networkMode}, made for this plan run (no route out of the engine), reachable there as ${request.join.alias}`);
      else if (spec.network !== 'none') notes.push(`the sandbox is on its own internal network ${networkMode}, made for this drill (no route out of the engine)`);
      if (capAdd.length > 0) notes.push(`capabilities added back because the image ${spec.image} declares them for its service: ${capAdd.join(', ')}`);
      if (!features.memoryLimit) notes.push('this Docker engine cannot limit memory (no memory cgroup): the memory limit is not enforced');
      if (!features.cpuLimit) notes.push('this Docker engine cannot limit CPU (no CFS quota): the CPU limit is not enforced');
      if (!features.pidsLimit) notes.push('this Docker engine cannot limit processes (no pids cgroup): the pids limit is not enforced');
      notes.push('the disk limit (sandbox.restore_size) is watched in the restore folder only: what the container writes elsewhere (its own layer) is not counted');
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
        budget: await RestoreBudget.open(hostRestoreDir, spec.restore_size),
        start,
        hasTimeout,
        container,
        notes,
        undo,
        log: new ExecLog(request.logDir, request.redactor),
      });
    } catch (err) {
      const problems = await undo.run();
      const undone = problems.length > 0 ? ` (cleaning up also failed: ${problems.join('; ')})` : '';
      if (request.signal?.aborted) throw request.signal.reason;
      if (err instanceof DrillError) throw err;
      throw new InfrastructureError('DOCKER_SANDBOX_FAILED', `Could not prepare a docker sandbox from ${request.spec.image}: ${errorMessage(err)}${undone}`, { cause: err });
    }
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

/** Host restore folders of docker sandboxes whose run is gone. */
async function removeHostLeftovers(baseDir: string, judge: LeftoverJudge, removeFolder: (dir: string) => Promise<void>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(baseDir).catch(() => [] as string[])) {
    if (!name.startsWith(HOST_PREFIX)) continue;
    const dir = path.join(baseDir, name);
    const reason = leftoverReason(await readOwnerFile(path.join(dir, OWNER_FILE)), judge);
    if (!reason) continue;
    try {
      await removeFolder(dir);
      removed.push(`removed the restore folder ${dir} left behind by a run that ended without cleaning up: the ${reason}`);
    } catch (err) {
      removed.push(`could not remove the restore folder ${dir} left behind by an earlier run: ${errorMessage(err)}`);
    }
  }
  return removed;
}

/**
 * The container runtime client on dockerode. Two connections: one for short control calls, each with
 * a deadline (a hung engine is an error within seconds, never a hang), and one without a socket
 * timeout for exec output, whose length the sandbox bounds with its own timers. It only translates the
 * specs it is given: the isolation policy is decided in docker-policy.ts.
 */
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { InfrastructureError, errorMessage } from '../errors.ts';
import type {
  ContainerRuntimeClient,
  ContainerSpec,
  EngineFeatures,
  EngineVersion,
  ExecRequest,
  ImageInfo,
  Labelled,
  NetworkSpec,
} from './docker-runtime.ts';

/** The longest a single control call (create, start, remove, inspect, list) may take. */
const CONTROL_TIMEOUT_MS = 30_000;

export const START_DOCKER_HINT =
  'Is the Docker engine running? Start it with "sudo systemctl start docker" (in a restore-drill checkout also ".ci/docker-up.sh"), or run with --sandbox local.';

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

export class DockerodeRuntimeClient implements ContainerRuntimeClient {
  readonly endpoint: string;
  private readonly control: Docker;
  private readonly streams: Docker;

  constructor() {
    this.endpoint = dockerEndpoint();
    this.control = new Docker({ timeout: CONTROL_TIMEOUT_MS });
    this.streams = new Docker();
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.call('answer a ping', (abortSignal) => signalled(this.control).ping({ abortSignal }), timeoutMs);
  }

  async version(): Promise<EngineVersion> {
    const v = await this.call('report its version', (abortSignal) => signalled(this.control).version({ abortSignal }));
    return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
  }

  async features(): Promise<EngineFeatures> {
    const info = (await this.call('report its features', (abortSignal) => signalled(this.control).info({ abortSignal }))) as Record<string, unknown>;
    return { memoryLimit: info.MemoryLimit !== false, pidsLimit: info.PidsLimit !== false, cpuLimit: info.CpuCfsQuota !== false };
  }

  async inspectImage(reference: string): Promise<ImageInfo | undefined> {
    try {
      const image = await this.call(`inspect the image ${reference}`, (abortSignal) => (this.control.getImage(reference) as unknown as { inspect(o: { abortSignal: AbortSignal }): Promise<Docker.ImageInspectInfo> }).inspect({ abortSignal }));
      return { id: image.Id, repoDigests: image.RepoDigests ?? [], labels: image.Config?.Labels ?? {}, created: image.Created };
    } catch (err) {
      if (statusOf((err as { cause?: unknown }).cause) === 404) return undefined;
      throw err;
    }
  }

  async createNetwork(spec: NetworkSpec): Promise<string> {
    const network = await this.call(`create the network ${spec.name}`, () =>
      this.control.createNetwork({
        Name: spec.name,
        Internal: spec.internal,
        CheckDuplicate: true,
        Attachable: spec.attachable,
        Labels: spec.labels,
        Options: spec.hostReachable ? {} : { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
      }),
    );
    return network.id;
  }

  async removeNetwork(id: string): Promise<void> {
    await this.ignoreMissing(`remove the network ${id}`, () => this.control.getNetwork(id).remove());
  }

  async runContainer(spec: ContainerSpec): Promise<string> {
    const container = await this.call(`create a container from ${spec.image}`, () =>
      this.control.createContainer({
        name: spec.name,
        Image: spec.image,
        Entrypoint: spec.cmd,
        Env: spec.env,
        WorkingDir: spec.workingDir,
        Labels: spec.labels,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        ...(spec.aliases ? { NetworkingConfig: { EndpointsConfig: { [spec.networkMode]: { Aliases: spec.aliases } } } } : {}),
        HostConfig: {
          Init: spec.init,
          NetworkMode: spec.networkMode,
          CapDrop: [...spec.capDrop],
          CapAdd: spec.capAdd,
          SecurityOpt: spec.noNewPrivileges ? ['no-new-privileges'] : [],
          Memory: spec.memoryBytes,
          MemorySwap: spec.memorySwapBytes,
          NanoCpus: spec.nanoCpus,
          PidsLimit: spec.pidsLimit,
          Mounts: spec.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
        },
      }),
    );
    try {
      await this.call(`start the container ${spec.name}`, () => container.start());
    } catch (err) {
      await this.removeContainer(container.id).catch(() => undefined);
      throw err;
    }
    return container.id;
  }

  async removeContainer(id: string): Promise<void> {
    await this.ignoreMissing(`remove the container ${id.slice(0, 12)}`, () => this.control.getContainer(id).remove({ force: true, v: true }));
  }

  async exec(containerId: string, request: ExecRequest): Promise<number | undefined> {
    request.signal.throwIfAborted();
    const exec = await this.call('start a command in the container', () =>
      this.streams.getContainer(containerId).exec({
        Cmd: request.cmd,
        Env: request.env,
        WorkingDir: request.workingDir,
        AttachStdin: false,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      }),
    );
    const stream = await this.call('attach to a command in the container', () => exec.start({ hijack: true, stdin: false }));
    const finished = await new Promise<boolean>((resolve, reject) => {
      const onAbort = () => {
        stream.destroy();
        resolve(false);
      };
      if (request.signal.aborted) return onAbort();
      request.signal.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        request.signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.streams.modem.demuxStream(stream, sink(request.onStdout), sink(request.onStderr));
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (err) => {
        request.signal.removeEventListener('abort', onAbort);
        if (request.signal.aborted) resolve(false);
        else reject(new InfrastructureError('DOCKER_EXEC_FAILED', `The connection to a command in the container broke: ${errorMessage(err)}`, { cause: err }));
      });
    });
    if (!finished) return undefined;
    const inspected = await this.call('report a command\'s exit code', () => exec.inspect());
    return inspected.ExitCode ?? undefined;
  }

  async logs(containerId: string, lines: number): Promise<string> {
    const raw = await this.call('show the container\'s log', () =>
      this.control.getContainer(containerId).logs({ stdout: true, stderr: true, tail: lines, follow: false }),
    );
    return demuxBuffer(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  }

  async listLabelled(labelKey: string): Promise<Labelled[]> {
    const filters = { label: [labelKey] };
    const [containers, networks] = await Promise.all([
      this.call('list containers', (abortSignal) => this.control.listContainers({ all: true, filters, abortSignal })),
      this.call('list networks', (abortSignal) => this.control.listNetworks({ filters, abortSignal })),
    ]);
    return [
      ...containers.map((c) => ({ kind: 'container' as const, id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels ?? {} })),
      ...networks.map((n) => ({ kind: 'network' as const, id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
    ];
  }

  /** One engine call under a deadline, its failures turned into errors that say what to do. */
  private async call<T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>, timeoutMs = CONTROL_TIMEOUT_MS): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const abandon = new AbortController();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Also ends the request, so that a hung engine does not keep this process alive.
        abandon.abort();
        reject(new InfrastructureError('DOCKER_TIMEOUT', `The Docker engine at ${this.endpoint} did not ${what} within ${Math.round(timeoutMs / 1000)} s. ${START_DOCKER_HINT}`));
      }, timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([fn(abandon.signal), deadline]);
    } catch (err) {
      throw this.translate(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  private async ignoreMissing(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(what, fn);
    } catch (err) {
      // Already gone, or its removal already under way: either way it will not be left behind.
      const status = statusOf((err as { cause?: unknown }).cause ?? err);
      if (status !== 404 && status !== 409) throw err;
    }
  }

  private translate(err: unknown, what: string): unknown {
    if (err instanceof InfrastructureError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT' || code === 'ENOTFOUND') {
      return new InfrastructureError('DOCKER_UNREACHABLE', `No Docker engine answers at ${this.endpoint} (${code}). ${START_DOCKER_HINT}`, { cause: err });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new InfrastructureError(
        'DOCKER_PERMISSION',
        `This user may not use the Docker engine at ${this.endpoint} (${code}). Run restore-drill as root, or add the user to the "docker" group and log in again.`,
        { cause: err },
      );
    }
    const status = statusOf(err);
    if (status !== undefined) {
      return new InfrastructureError('DOCKER_REFUSED', `The Docker engine could not ${what}: ${engineMessage(err)}`, { cause: err });
    }
    return new InfrastructureError('DOCKER_FAILED', `The Docker engine could not ${what}: ${errorMessage(err)}`, { cause: err });
  }
}

/** dockerode takes an abortSignal on these calls; its types do not say so. */
interface SignalledCalls {
  ping(options: { abortSignal: AbortSignal }): Promise<unknown>;
  version(options: { abortSignal: AbortSignal }): Promise<Docker.DockerVersion>;
  info(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

function signalled(docker: Docker): SignalledCalls {
  return docker as unknown as SignalledCalls;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  return json?.message ?? errorMessage(err);
}

function sink(onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback();
    },
  });
}

/** The engine's multiplexed log format (8-byte frame headers) without a TTY, as text. */
export function demuxBuffer(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length && raw[offset]! <= 2 && raw[offset + 1] === 0) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  if (offset === 0) return raw.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The few container-engine operations the docker sandbox needs, behind one interface (the shape of
 * testcontainers' ContainerRuntimeClient). The dockerode implementation is in docker-dockerode.ts; unit
 * tests use a fake. Nothing outside harness/sandboxes/docker*.ts sees the engine's API.
 */

export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface EngineFeatures {
  memoryLimit: boolean;
  pidsLimit: boolean;
  cpuLimit: boolean;
}

export interface ImageInfo {
  /** The image's content id (sha256:...), which names exactly one image. */
  id: string;
  /** Registry digests (repo@sha256:...), empty for images built or imported locally. */
  repoDigests: string[];
  labels: Record<string, string>;
  created?: string;
}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  name: string;
  image: string;
  /** The main process (keeps the container alive; commands run through exec). */
  cmd: string[];
  env: string[];
  workingDir: string;
  labels: Record<string, string>;
  mounts: Mount[];
  /** "none", or the name of a network made for this container. */
  networkMode: string;
  /** Host names by which the container is reached on its network (a plan's systems: the system's name). */
  aliases?: string[];
  /** Dropped first; then capAdd gives some back. */
  capDrop: readonly string[];
  capAdd: string[];
  /** no-new-privileges: setuid programs cannot gain privileges. */
  noNewPrivileges: boolean;
  /** An init process as PID 1 that reaps orphans. */
  init: boolean;
  memoryBytes: number;
  /** Memory plus swap; equal to memoryBytes for no swap. */
  memorySwapBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

export interface NetworkSpec {
  name: string;
  labels: Record<string, string>;
  /** The engine forwards nothing between this network and the outside. */
  internal: boolean;
  /** Whether the host's side of the bridge has an address (through which the host's own services answer). */
  hostReachable: boolean;
  /** Whether containers other than the drill's may be attached later. */
  attachable: boolean;
}

export interface ExecRequest {
  cmd: string[];
  env: string[];
  workingDir: string;
  /** Called with each piece of output as it arrives. */
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  /** Ends the wait (not the process) when aborted; the caller then removes the container. */
  signal: AbortSignal;
}

/** A container or network carrying restore-drill labels. */
export interface Labelled {
  kind: 'container' | 'network';
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface ContainerRuntimeClient {
  /** Where the engine is reached, for messages (unix:///var/run/docker.sock). */
  readonly endpoint: string;
  /** Rejects with an InfrastructureError when the engine does not answer within timeoutMs. */
  ping(timeoutMs: number): Promise<void>;
  version(): Promise<EngineVersion>;
  features(): Promise<EngineFeatures>;
  /** undefined when the engine has no such image. */
  inspectImage(reference: string): Promise<ImageInfo | undefined>;
  createNetwork(spec: NetworkSpec): Promise<string>;
  removeNetwork(id: string): Promise<void>;
  /** Creates and starts the container; returns its id. */
  runContainer(spec: ContainerSpec): Promise<string>;
  /** Force-removes the container and its anonymous volumes; a missing container is not an error. */
  removeContainer(id: string): Promise<void>;
  /** Runs a process in the container; resolves with its exit code (undefined when the wait was cut). */
  exec(containerId: string, request: ExecRequest): Promise<number | undefined>;
  /** The last lines of the container's own output. */
  logs(containerId: string, lines: number): Promise<string>;
  /** Containers (running or not) and networks that carry the label key. */
  listLabelled(labelKey: string): Promise<Labelled[]>;
}

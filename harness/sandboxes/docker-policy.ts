/**
 * The docker sandbox's isolation policy, decided here and handed to the runtime client in the spec:
 * the adapter (docker-dockerode.ts) only translates it, so unit tests against the fake runtime see
 * every setting the report claims.
 */
import type { ContainerSpec, NetworkSpec } from './docker-runtime.ts';

/** What every container of the harness gets: the sandbox and the cleanup helper alike. */
export const CONTAINER_ISOLATION = {
  /** Every capability dropped; capAdd gives back only what an image declares (or the helper needs). */
  capDrop: ['ALL'],
  /** setuid programs in the image cannot gain privileges. */
  noNewPrivileges: true,
  /** A tiny init as PID 1, which reaps what the restore steps leave running. */
  init: true,
} as const satisfies Pick<ContainerSpec, 'capDrop' | 'noNewPrivileges' | 'init'>;

/** The limits of a container: memory with no swap beyond it, CPU, processes. */
export function containerLimits(memoryBytes: number, cpus: number, pids: number): Pick<ContainerSpec, 'memoryBytes' | 'memorySwapBytes' | 'nanoCpus' | 'pidsLimit'> {
  return { memoryBytes, memorySwapBytes: memoryBytes, nanoCpus: Math.round(cpus * 1e9), pidsLimit: pids };
}

/**
 * A network made for one drill: internal (the engine forwards nothing out), not attachable, and with
 * no address on the host's side of its bridge, through which a container would otherwise reach every
 * service of the host itself. The containers on it reach each other and nothing else.
 */
export function drillNetwork(name: string, labels: Record<string, string>): NetworkSpec {
  return { name, labels, internal: true, hostReachable: false, attachable: false };
}

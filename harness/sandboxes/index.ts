/** Sandbox drivers by name, and the choice `--sandbox auto` makes. */
import { UsageError } from '../errors.ts';
import { LocalSandboxDriver } from './local.ts';
import type { SandboxDriver } from './sandbox.ts';

import { SANDBOX_CHOICES, type SandboxChoice } from './choices.ts';

export interface ChosenDriver {
  driver: SandboxDriver;
  /** Why this driver was taken, when it was not the one asked for. */
  note?: string;
}

const DRIVERS: Record<'local' | 'docker' | 'vm', () => Promise<SandboxDriver>> = {
  local: async () => new LocalSandboxDriver(),
  vm: async () => {
    const { VmSandboxDriver } = await import('./vm/driver.ts');
    return new VmSandboxDriver();
  },
  docker: async () => {
    const { DockerSandboxDriver } = await import('./docker.ts');
    return new DockerSandboxDriver();
  },
};

/** `machines`: every scenario of the run boots a disk image (sandbox.kind: vm), so auto means the vm driver. */
export async function chooseDriver(choice: string, machines = false): Promise<ChosenDriver> {
  if (!SANDBOX_CHOICES.includes(choice as SandboxChoice)) {
    throw new UsageError(`--sandbox must be one of ${SANDBOX_CHOICES.join(', ')}, got '${choice}'`);
  }
  if (choice === 'local') return { driver: await DRIVERS.local() };
  if (choice === 'docker') return { driver: await DRIVERS.docker() };
  if (choice === 'vm' || machines) return { driver: await DRIVERS.vm() };
  const docker = await DRIVERS.docker().catch(() => undefined);
  const availability = docker ? await docker.available() : { ok: false, reason: 'the docker driver could not be loaded' };
  if (docker && availability.ok) return { driver: docker };
  return {
    driver: await DRIVERS.local(),
    note: `no Docker engine answered (${availability.reason}); using the local sandbox instead`,
  };
}

export type { Sandbox, SandboxDriver } from './sandbox.ts';

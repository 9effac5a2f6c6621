/** Sandbox drivers by name, and the choice `--sandbox auto` makes. */
import { UsageError } from '../errors.ts';
import { LocalSandboxDriver } from './local.ts';
import type { SandboxDriver } from './sandbox.ts';

import { SANDBOX_CHOICES, type SandboxChoice } from './choices.ts';

export interface ChosenDriver {
  driver: SandboxDriver;
  /** Why this driver was taken, when it was not the one asked for; what it cannot do here. */
  note?: string;
  /** Printed on stderr in every output mode and kept in the results: a protection is off. */
  warning?: string;
}

export interface DriverChoiceOptions {
  /** --unsafe-local: the local sandbox runs scenario commands unconfined where bubblewrap cannot. */
  unsafeLocal?: boolean;
  /** Every scenario of the run boots a disk image (sandbox.kind: vm): auto then means the vm driver. */
  machines?: boolean;
}

export async function chooseDriver(choice: string, options: DriverChoiceOptions = {}): Promise<ChosenDriver> {
  if (!SANDBOX_CHOICES.includes(choice as SandboxChoice)) {
    throw new UsageError(`--sandbox must be one of ${SANDBOX_CHOICES.join(', ')}, got '${choice}'`);
  }
  if (choice === 'local') return local(options);
  if (choice === 'vm' || options.machines) {
    const { VmSandboxDriver } = await import('./vm/driver.ts');
    return { driver: new VmSandboxDriver() };
  }
  const { DockerSandboxDriver } = await import('./docker.ts');
  if (choice === 'docker') return { driver: new DockerSandboxDriver() };
  const docker = new DockerSandboxDriver();
  const availability = await docker.available();
  if (availability.ok) return { driver: docker };
  const chosen = await local(options);
  const fallback = `no Docker engine answered (${availability.reason}); using the local sandbox instead`;
  return { ...chosen, note: chosen.note ? `${fallback}, where ${chosen.note}` : `${fallback} (bubblewrap)` };
}

async function local(options: DriverChoiceOptions): Promise<ChosenDriver> {
  const driver = new LocalSandboxDriver({ unsafeLocal: options.unsafeLocal });
  const probe = await driver.bubblewrap();
  if (probe.ok) return { driver };
  if (options.unsafeLocal) {
    return {
      driver,
      warning: `WARNING: --unsafe-local: ${probe.reason}, so restore steps and command checks run WITHOUT A SANDBOX, with this host's user and rights: restored content they run can read and change anything here, the backup included. Install bubblewrap (apt-get install bubblewrap) to stop this.`,
    };
  }
  return { driver, note: `${probe.reason}: restore steps and command checks will be refused (apt-get install bubblewrap, or --unsafe-local)` };
}

export type { Sandbox, SandboxDriver } from './sandbox.ts';

/** The docker sandbox driver (in progress: see the Docker sandboxes issue). */
import { InfrastructureError } from '../errors.ts';
import type { ProvisionRequest, Sandbox, SandboxDriver } from './sandbox.ts';

export class DockerSandboxDriver implements SandboxDriver {
  readonly name = 'docker';
  async available(): Promise<{ ok: boolean; reason?: string }> {
    return { ok: false, reason: 'this version has no docker driver yet' };
  }
  async removeLeftovers(): Promise<string[]> {
    return [];
  }
  async provision(_request: ProvisionRequest): Promise<Sandbox> {
    throw new InfrastructureError('DOCKER_UNAVAILABLE', 'This version of restore-drill has no docker sandbox yet; use --sandbox local.');
  }
}

/** An in-memory container runtime for unit tests of the docker driver's own logic. */
import { InfrastructureError } from '../../harness/errors.ts';
import type { ContainerRuntimeClient, ContainerSpec, ImageInfo, Labelled, NetworkSpec } from '../../harness/sandboxes/docker-runtime.ts';

export class FakeRuntime implements ContainerRuntimeClient {
  readonly endpoint = 'fake://engine';
  readonly things = new Map<string, Labelled>();
  readonly images = new Map<string, ImageInfo>();
  readonly calls: string[] = [];
  reachable = true;
  failOn: string | undefined;
  lastContainer: ContainerSpec | undefined;
  lastNetwork: NetworkSpec | undefined;
  private counter = 0;

  private step(name: string): void {
    this.calls.push(name);
    if (!this.reachable) throw new InfrastructureError('DOCKER_UNREACHABLE', 'No Docker engine answers at fake://engine.');
    if (this.failOn === name) throw new InfrastructureError('DOCKER_REFUSED', `the engine refused to ${name}`);
  }

  add(kind: Labelled['kind'], name: string, labels: Record<string, string>): string {
    const id = `${kind}-${++this.counter}`;
    this.things.set(id, { kind, id, name, labels });
    return id;
  }

  async ping(): Promise<void> {
    this.step('ping');
  }
  async version() {
    this.step('version');
    return { version: '0.0-fake', apiVersion: '1.41', os: 'linux', arch: 'amd64' };
  }
  async features() {
    this.step('features');
    return { memoryLimit: true, pidsLimit: true, cpuLimit: true };
  }
  async inspectImage(reference: string) {
    this.step('inspectImage');
    return this.images.get(reference);
  }
  async createNetwork(spec: NetworkSpec) {
    this.step('createNetwork');
    this.lastNetwork = spec;
    return this.add('network', spec.name, spec.labels);
  }
  async removeNetwork(id: string) {
    this.step('removeNetwork');
    // As the engine does: a network with a container of its run still on it cannot be removed.
    const run = this.things.get(id)?.labels['restore-drill.run'];
    if ([...this.things.values()].some((t) => t.kind === 'container' && t.labels['restore-drill.run'] === run)) {
      throw new InfrastructureError('DOCKER_REFUSED', 'network has active endpoints');
    }
    this.things.delete(id);
  }
  async runContainer(spec: ContainerSpec) {
    this.step('runContainer');
    this.lastContainer = spec;
    return this.add('container', spec.name, spec.labels);
  }
  async removeContainer(id: string) {
    this.step('removeContainer');
    this.things.delete(id);
  }
  async exec() {
    this.step('exec');
    return 0;
  }
  async logs() {
    this.step('logs');
    return '';
  }
  async listLabelled(labelKey: string) {
    this.step('listLabelled');
    return [...this.things.values()].filter((t) => labelKey in t.labels);
  }
}

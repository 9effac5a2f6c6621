/**
 * Provisioning a docker sandbox against a plain `docker run -d` of the same image (both create and start
 * a container; both removed afterwards, outside the timing). Needs a Docker engine and the base image.
 *   node bench/docker-provision.ts [ROUNDS]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DockerSandboxDriver } from '../harness/sandboxes/docker.ts';
import { sandboxSchema } from '../harness/scenario/schema.ts';

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 10);
const image = 'restore-drill/base:latest';
const scratch = await mkdtemp(path.join(os.tmpdir(), 'rd-bench-'));
const driver = new DockerSandboxDriver();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const plain: number[] = [];
const sandbox: number[] = [];
const firstExec: number[] = [];
const teardown: number[] = [];
try {
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const { stdout } = await run('docker', ['run', '-d', '--network', 'none', '--label', 'restore-drill.bench=plain', image, 'sleep', 'infinity']);
    plain.push(performance.now() - t);
    await run('docker', ['rm', '-f', stdout.trim()]);

    t = performance.now();
    const box = await driver.provision({
      spec: sandboxSchema.parse({ image }),
      backupPaths: [scratch],
      scenario: 'bench',
      runId: `bench-${process.pid}-${i}`,
      logDir: path.join(scratch, 'logs'),
    });
    sandbox.push(performance.now() - t);
    t = performance.now();
    await box.exec('true', { timeoutMs: 10_000 });
    firstExec.push(performance.now() - t);
    t = performance.now();
    await box.dispose();
    teardown.push(performance.now() - t);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
const ms = (xs: number[]) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
console.log(`${rounds} rounds, ${image}`);
console.log(`plain "docker run -d --network none ... sleep infinity": ${ms(plain)}`);
console.log(`docker sandbox provision (ping, image, folder, hardened container): ${ms(sandbox)}`);
console.log(`first exec in the sandbox ("true"): ${ms(firstExec)}`);
console.log(`sandbox teardown (container, folder): ${ms(teardown)}`);

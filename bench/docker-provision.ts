/**
 * Provisioning a docker sandbox against a plain `docker run -d` of the same image (both create and start
 * a container; both removed afterwards, outside the timing). Needs a Docker engine and the base image.
 *   node bench/docker-provision.ts [ROUNDS]      (npm run bench takes its ratio from here too)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DockerSandboxDriver } from '../harness/sandboxes/docker.ts';
import { sandboxSchema } from '../harness/scenario/schema.ts';

const run = promisify(execFile);
export const PROVISION_IMAGE = 'restore-drill/base:latest';

export interface ProvisionTimes {
  plain: number[];
  sandbox: number[];
  firstExec: number[];
  teardown: number[];
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureProvisioning(rounds: number, image = PROVISION_IMAGE): Promise<ProvisionTimes> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'rd-bench-'));
  const driver = new DockerSandboxDriver();
  const times: ProvisionTimes = { plain: [], sandbox: [], firstExec: [], teardown: [] };
  try {
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      const { stdout } = await run('docker', ['run', '-d', '--network', 'none', '--label', 'restore-drill.bench=plain', image, 'sleep', 'infinity']);
      times.plain.push(performance.now() - t);
      await run('docker', ['rm', '-f', stdout.trim()]);

      t = performance.now();
      const box = await driver.provision({
        spec: sandboxSchema.parse({ image }),
        backupPaths: [scratch],
        scenario: 'bench',
        runId: `bench-${process.pid}-${i}`,
        logDir: path.join(scratch, 'logs'),
      });
      times.sandbox.push(performance.now() - t);
      t = performance.now();
      await box.exec('true', { timeoutMs: 10_000 });
      times.firstExec.push(performance.now() - t);
      t = performance.now();
      await box.dispose();
      times.teardown.push(performance.now() - t);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return times;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rounds = Number(process.argv[2] ?? 10);
  const times = await measureProvisioning(rounds);
  const ms = (xs: number[]) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
  console.log(`${rounds} rounds, ${PROVISION_IMAGE}`);
  console.log(`plain "docker run -d --network none ... sleep infinity": ${ms(times.plain)}`);
  console.log(`docker sandbox provision (ping, image, folder, hardened container): ${ms(times.sandbox)}`);
  console.log(`first exec in the sandbox ("true"): ${ms(times.firstExec)}`);
  console.log(`sandbox teardown (container, folder): ${ms(times.teardown)}`);
}

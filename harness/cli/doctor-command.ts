/**
 * `restore-drill doctor`: what this host can do. The Docker engine and its version, the sandbox images
 * with their ids, the restore tools inside them (checked in a throwaway sandbox), and whether the
 * local sandbox can cut commands off the network.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newRunId } from '../drill/run-id.ts';
import { errorMessage } from '../errors.ts';
import { LocalSandboxDriver } from '../sandboxes/local.ts';
import { sandboxSchema } from '../scenario/schema.ts';
import { imageRecipes } from './commands/images.ts';

/** Tools each image should carry, with the command that prints their version. */
const BASE_TOOLS: Record<string, string> = {
  restic: 'restic version',
  borg: 'borg --version',
  tar: 'tar --version | head -n 1',
  zstd: 'zstd --version',
  curl: 'curl --version | head -n 1',
};
const TOOLS: Record<string, Record<string, string>> = {
  base: BASE_TOOLS,
  postgres: { psql: 'psql --version', pg_restore: 'pg_restore --version', postgres: 'postgres --version' },
  pacs: { Orthanc: 'Orthanc --version | head -n 1', storescu: 'storescu --version | head -n 1' },
};

export interface Line {
  ok: boolean;
  what: string;
  detail: string;
}

export function format(line: Line): string {
  return `${line.ok ? '✔' : '✘'} ${line.what.padEnd(34)} ${line.detail}\n`;
}

export async function diagnose(report: (line: Line) => void): Promise<Line[]> {
  const lines: Line[] = [];
  const say = (line: Line) => {
    lines.push(line);
    report(line);
  };

  const bwrap = await new LocalSandboxDriver().bubblewrap();
  say({
    ok: bwrap.ok,
    what: 'local sandbox: bubblewrap',
    detail: bwrap.ok ? `commands run confined (${bwrap.bwrap.program}: own namespaces, no capabilities, ${bwrap.bwrap.seccomp.filter ? 'a seccomp filter' : 'no seccomp filter'}, backup read-only)` : `${bwrap.reason}: the local sandbox refuses restore steps and command checks (apt-get install bubblewrap)`,
  });

  const { DockerSandboxDriver } = await import('../sandboxes/docker.ts');
  const driver = new DockerSandboxDriver();
  const availability = await driver.engineAvailable();
  if (!availability.ok) {
    say({ ok: false, what: 'docker engine', detail: availability.reason ?? 'does not answer' });
    return lines;
  }
  const version = await driver.client.version();
  say({ ok: true, what: 'docker engine', detail: `${version.version} (API ${version.apiVersion}, ${version.os}/${version.arch}) at ${driver.client.endpoint}` });

  const bootstrap = await driver.client.inspectImage('debian:bookworm-slim');
  say({
    ok: true,
    what: 'image debian:bookworm-slim',
    detail: bootstrap ? `${bootstrap.id.slice(0, 19)} (the images' base)` : 'absent: "restore-drill images build" makes it from the Debian mirror',
  });

  for (const name of await imageRecipes()) {
    const reference = `restore-drill/${name}:latest`;
    const image = await driver.client.inspectImage(reference);
    if (!image) {
      say({ ok: false, what: `image ${reference}`, detail: `missing: build it with "restore-drill images build ${name}"` });
      continue;
    }
    const caps = image.labels['io.restore-drill.capabilities'] || 'none';
    const start = image.labels['io.restore-drill.start'] || 'none';
    say({ ok: true, what: `image ${reference}`, detail: `${image.repoDigests[0] ?? image.id} (capabilities: ${caps}; start: ${start})` });
    for (const line of await toolsIn(driver, reference, TOOLS[name] ?? BASE_TOOLS)) say(line);
  }
  return lines;
}

/** Runs each tool's version command in a throwaway sandbox of the image. */
async function toolsIn(
  driver: InstanceType<typeof import('../sandboxes/docker.ts').DockerSandboxDriver>,
  image: string,
  tools: Record<string, string>,
): Promise<Line[]> {
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-doctor-'));
  try {
    const sandbox = await driver.provision({
      spec: sandboxSchema.parse({ image, memory: '256m' }),
      backupPaths: [],
      scenario: 'doctor',
      runId: newRunId(new Date()),
      logDir,
    });
    try {
      const lines: Line[] = [];
      for (const [tool, command] of Object.entries(tools)) {
        const result = await sandbox.exec(command, { timeoutMs: 20_000 });
        const first = ((result.stdout || result.stderr).trim().split('\n')[0] ?? '').replace(/[*$]/g, '').trim().slice(0, 70);
        lines.push(
          result.exitCode === 0
            ? { ok: true, what: `  ${tool} in ${image.replace(/^restore-drill\//, '')}`, detail: first }
            : { ok: false, what: `  ${tool} in ${image.replace(/^restore-drill\//, '')}`, detail: `missing or broken (${first || `exit ${result.exitCode}`}): rebuild with "restore-drill images build --force"` },
        );
      }
      return lines;
    } finally {
      await sandbox.dispose();
    }
  } catch (err) {
    return [{ ok: false, what: `  tools in ${image}`, detail: `could not be checked: ${errorMessage(err)}` }];
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}

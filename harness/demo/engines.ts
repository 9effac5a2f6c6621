/**
 * The demos of real backup engines and applications: billing (PostgreSQL from a restic backup),
 * referrals (a file share in borg), pacs (Orthanc from a restic backup, in full and as a sample with
 * the RTO forecast). Each is made and drilled only where what it needs is here; otherwise it is
 * skipped with the reason, so that `npm run demo` works on a fresh machine too.
 *  - billing, pacs: a Docker engine, the images restore-drill/postgres, restore-drill/pacs, and restic
 *    on this host (the drill lists a repository's points here);
 *  - referrals: borg on this host; restored in Docker (restore-drill/base) where it is, else locally.
 * With --sandbox local nothing runs in containers: billing and pacs are skipped, referrals runs locally.
 */
import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { DockerSandboxDriver } from '../sandboxes/docker.ts';
import { LocalSandboxDriver } from '../sandboxes/local.ts';
import { runProcess } from '../sandboxes/process.ts';
import type { SandboxDriver } from '../sandboxes/sandbox.ts';
import { generateBilling } from './billing.ts';
import { generatePacs } from './pacs.ts';
import { generateReferrals } from './referrals.ts';
import { generateLabVm, LAB_GUEST_IMAGE } from './lab-vm.ts';
import { VmSandboxDriver } from '../sandboxes/vm/driver.ts';

const HOUR = 3_600_000;

export interface EngineDemo {
  /** Scenario names (scenarios/<name>.yaml) this demo's data serves. */
  scenarios: string[];
  /** The sandbox its drills use. */
  sandbox: 'docker' | 'local' | 'vm';
}

export interface EngineDemoPlan {
  ready: EngineDemo[];
  /** One line per demo left out, saying what it needs. */
  skipped: string[];
}

/** Makes the data of every engine demo this machine can run, under root (demo/). */
export async function generateEngineDemos(root: string, options: { now?: Date; sandbox?: string } = {}): Promise<EngineDemoPlan> {
  const now = options.now ?? new Date();
  const plan: EngineDemoPlan = { ready: [], skipped: [] };
  const docker = new DockerSandboxDriver();
  // --sandbox local: the demos that need containers are left out, the others run locally.
  const engine = options.sandbox === 'local' ? { ok: false, reason: '--sandbox local was asked for' } : await docker.available();
  const hasImage = async (image: string) => engine.ok && (await docker.client.inspectImage(image).catch(() => undefined)) !== undefined;
  const noImage = (image: string) =>
    engine.ok ? `the image ${image} is not built (images/build.sh builds it)` : `no Docker engine answers (${engine.reason})`;
  const snapshotTime = new Date(now.getTime() - 3 * HOUR);

  const make = async (name: string, scenarios: string[], driver: SandboxDriver, sandbox: EngineDemo['sandbox'], fn: (driver: SandboxDriver) => Promise<unknown>) => {
    try {
      await fn(driver);
      plan.ready.push({ scenarios, sandbox });
    } catch (err) {
      plan.skipped.push(`${name}: making its backup failed: ${errorMessage(err)}`);
    }
  };

  // The drill reads a repository's points on this host, so the engine must be installed here too.
  const restic = (await hostHas('restic', 'version')) ? '' : ', and restic is not installed on this host (apt-get install restic)';
  const borg = await hostHas('borg', '--version');
  if (!borg) {
    plan.skipped.push('referrals (borg): borg is not installed on this host (apt-get install borgbackup)');
  } else if (await hasImage('restore-drill/base:latest')) {
    await make('referrals', ['referrals'], docker, 'docker', (d) => generateReferrals(d, path.join(root, 'referrals'), { now }));
  } else {
    await make('referrals', ['referrals'], new LocalSandboxDriver(), 'local', (d) => generateReferrals(d, path.join(root, 'referrals'), { now }));
  }
  if (!restic && (await hasImage('restore-drill/postgres:latest'))) {
    await make('billing', ['billing'], docker, 'docker', (d) => generateBilling(d, path.join(root, 'billing'), { snapshotTime }));
  } else plan.skipped.push(`billing (PostgreSQL from restic): ${(await hasImage('restore-drill/postgres:latest')) ? 'restic is not installed on this host (apt-get install restic)' : noImage('restore-drill/postgres:latest') + restic}`);
  if (!restic && (await hasImage('restore-drill/pacs:latest'))) {
    await make('pacs', ['pacs', 'pacs-sample'], docker, 'docker', (d) => generatePacs(d, path.join(root, 'pacs'), { snapshotTime }));
  } else plan.skipped.push(`pacs and pacs-sample (Orthanc from restic): ${(await hasImage('restore-drill/pacs:latest')) ? 'restic is not installed on this host (apt-get install restic)' : noImage('restore-drill/pacs:latest') + restic}`);
  // The lab system as a VM: QEMU here, the guest image built, restic and mke2fs to make its backups.
  const qemu = options.sandbox === 'local' || options.sandbox === 'docker' ? { ok: false, reason: `--sandbox ${options.sandbox} was asked for` } : await new VmSandboxDriver().available();
  if (!qemu.ok) plan.skipped.push(`lab-vm and lab-vm-damaged (検査システム as a virtual machine): ${qemu.reason}`);
  else if (restic || !(await hostHas('mke2fs', '-V'))) plan.skipped.push(`lab-vm and lab-vm-damaged (検査システム as a virtual machine): restic and mke2fs are needed on this host${restic}`);
  else if (!(await hasImage(LAB_GUEST_IMAGE))) plan.skipped.push(`lab-vm and lab-vm-damaged (検査システム as a virtual machine): ${noImage(LAB_GUEST_IMAGE)}`);
  else await make('lab-vm', ['lab-vm', 'lab-vm-damaged'], new VmSandboxDriver(), 'vm', () => generateLabVm(path.join(root, 'lab-vm'), { snapshotTime }));
  return plan;
}

async function hostHas(program: string, versionFlag: string): Promise<boolean> {
  try {
    return (await runProcess(program, [versionFlag], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 10_000 })).exitCode === 0;
  } catch {
    return false;
  }
}

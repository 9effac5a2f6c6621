/**
 * The one way a restore point is restored: provision a throwaway sandbox of the driver, restore the
 * point into it (the backup visible read-only), and hand back the restored sandbox to be disposed.
 * The drill, `scan`, `find-clean` and the change rule's baseline all restore through here.
 */
import type { Clock } from '../clock.ts';
import { InputError } from '../errors.ts';
import type { HashPool } from '../manifest/hash-pool.ts';
import type { Scenario } from '../scenario/load.ts';
import type { SandboxSpec } from '../scenario/schema.ts';
import type { Sandbox, SandboxDriver } from '../sandboxes/sandbox.ts';
import { backupPathsOf, type BackupSource, type RestorePoint, type RestoreProgress } from '../sources/source.ts';
import type { Timed } from './task-runner.ts';

/** What restoring the points of one scenario needs: made once per run by `pointWork`. */
export interface PointWork {
  readonly driver: SandboxDriver;
  readonly source: BackupSource;
  readonly sandboxSpec: SandboxSpec;
  /** The scenario's name, for the sandboxes' labels. */
  readonly scenario: string;
  /** The run's id; each sandbox's id adds its own suffix to it. */
  readonly runId: string;
  readonly logDir: string;
  readonly pool: HashPool;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** How many points restoreInto restored with this work (a clean point search counts its restores). */
  readonly tally?: { restores: number };
}

export interface PointWorkDeps {
  driver: SandboxDriver;
  pool: HashPool;
  clock: Clock;
  signal: AbortSignal;
  runId: string;
  logDir: string;
}

export function pointWork(scenario: Scenario, source: BackupSource, deps: PointWorkDeps): PointWork {
  refuseKindMismatch(scenario, deps.driver);
  return { ...deps, source, sandboxSpec: scenario.spec.sandbox, scenario: scenario.spec.name, tally: { restores: 0 } };
}

export interface RestoreIntoOptions {
  /** Suffix of the sandbox's id when several live at once (a scan's, a baseline's); none for the drill's. */
  name?: string;
  onProgress?(progress: RestoreProgress): void;
  /** Times provisioning and restoring as phases (the drill's); untimed by default. */
  timed?: Timed;
  /**
   * Told of the sandbox as soon as it exists; the caller then owns its removal, also when the restore
   * fails (the drill puts it on its teardown stack). Without it, a failed restore removes the sandbox.
   */
  onProvisioned?(sandbox: Sandbox): void;
  /** Runs inside the restore phase once the source restored (the scenario's restore steps). */
  afterRestore?(sandbox: Sandbox): Promise<void>;
}

export interface RestoredPoint extends AsyncDisposable {
  readonly point: RestorePoint;
  readonly sandbox: Sandbox;
  readonly restored: RestoreProgress;
  /** How long the source's own restore took (the RTO forecast scales it up). */
  readonly restoreMs: number;
  dispose(): Promise<void>;
}

const untimed: Timed = (_name, body) => body();

export async function restoreInto(work: PointWork, point: RestorePoint, options: RestoreIntoOptions = {}): Promise<RestoredPoint> {
  const timed = options.timed ?? untimed;
  const sandbox = await timed('provision', () => provision(work, options.name, backupPathsOf(work.source, point)));
  options.onProvisioned?.(sandbox);
  if (work.tally) work.tally.restores++;
  try {
    let restoreMs = 0;
    const restored = await timed('restore', async () => {
      const started = work.clock.monotonic();
      const progress = await work.source.restore(point, { sandbox, signal: work.signal, onProgress: (p) => options.onProgress?.(p) });
      restoreMs = work.clock.monotonic() - started;
      await options.afterRestore?.(sandbox);
      return progress;
    });
    return restoredPoint(point, sandbox, restored, restoreMs);
  } catch (err) {
    if (!options.onProvisioned) await sandbox.dispose();
    throw err;
  }
}

/**
 * A fresh sandbox of the scenario's driver and image into which nothing is restored (no restore, no
 * restore steps), for the negative control: what passes there proves nothing about the backup.
 * The backup is not made visible to it either. The caller disposes it.
 */
export function provisionEmpty(work: PointWork, name: string): Promise<Sandbox> {
  return provision(work, name, []);
}

function provision(work: PointWork, name: string | undefined, backupPaths = work.source.backupPaths): Promise<Sandbox> {
  return work.driver.provision({
    spec: work.sandboxSpec,
    backupPaths,
    scenario: work.scenario,
    runId: name ? `${work.runId}-${name}` : work.runId,
    logDir: work.logDir,
    signal: work.signal,
    main: name === undefined,
  });
}

function restoredPoint(point: RestorePoint, sandbox: Sandbox, restored: RestoreProgress, restoreMs: number): RestoredPoint {
  const dispose = () => sandbox.dispose();
  return { point, sandbox, restored, restoreMs, dispose, [Symbol.asyncDispose]: dispose };
}

/** A scenario that boots a machine is never drilled in a container, nor a container scenario in a VM. */
function refuseKindMismatch(scenario: Scenario, driver: SandboxDriver): void {
  const wantsVm = scenario.spec.sandbox.kind === 'vm';
  if (wantsVm === (driver.name === 'vm')) return;
  throw new InputError(
    'SANDBOX_KIND_MISMATCH',
    wantsVm
      ? `${scenario.displayPath}: sandbox.kind is vm (a disk image to boot), but the ${driver.name} sandbox was chosen: drill it with --sandbox vm.`
      : `${scenario.displayPath}: the vm sandbox boots disk images, but this scenario has no sandbox.kind: vm: drill it with --sandbox local, docker or auto.`,
  );
}

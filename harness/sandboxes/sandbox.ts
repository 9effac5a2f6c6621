/**
 * The sandbox role: a throwaway place to restore into. The drill core talks only to this interface;
 * drivers (local, docker) live beside it and a fake serves the unit tests.
 */
import type { SandboxSpec } from '../scenario/schema.ts';
import type { RestoreBudget } from './restore-budget.ts';
import type { Redactor } from '../secrets/redactor.ts';

export type DriverName = 'local' | 'docker' | 'vm';

export interface Isolation {
  /** True when commands in the sandbox cannot reach any network. */
  networkIsolated: boolean;
  /** The network the sandbox has: "none", or a named internal network. */
  network: string;
  /** How the backup is protected from writes, as applied: "read-only mount", "read-only bind mount (bubblewrap)", ... */
  backupProtection: string;
  /** Plain-language notes for the report (what could not be enforced on this host, and why). */
  notes: string[];
}

export interface ExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra environment (secrets among them): passed to the command, never logged. */
  env?: Record<string, string>;
  /** Working directory inside the sandbox; defaults to the restore folder. */
  cwd?: string;
  /**
   * A command the harness built itself around a fixed tool (restic, borg, curl, tail) that reads the
   * backup or the restored data without running it. The local sandbox without bubblewrap runs only
   * these; scenario commands (restore steps, command checks) it refuses unless opted in.
   */
  harnessCommand?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface Sandbox extends AsyncDisposable {
  readonly driver: DriverName;
  readonly isolation: Isolation;
  /** Details for results: image and digest, container id, root folder. */
  readonly description: Record<string, string>;
  /** Where restored data lives, as commands inside the sandbox see it. */
  readonly restoreDir: string;
  /** The same folder as this process sees it, for streaming restores and hashing. */
  readonly hostRestoreDir: string;
  /** How much may be written into the restore folder (sandbox.restore_size, else the disk's margin); exec enforces it. */
  readonly budget?: RestoreBudget;
  /** Where a backup path of this host appears inside the sandbox (mounted read-only). */
  backupPath(hostPath: string): string;
  /** Runs a shell command inside the sandbox. A non-zero exit is a result, not an exception. */
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  /** The last lines of the sandbox's own log (a service's output), for failed readiness checks. */
  logTail(lines: number): Promise<string>;
  /**
   * Sandboxes that read a folder backup where it lies (the vm driver boots its disk image through an
   * overlay) take the point's folder as the restored tree instead of a copy: true when this one did.
   */
  adoptInPlace?(folder: string): boolean;
  /** Where a guest port is reached from this host (the vm driver's 127.0.0.1 forwards); requests then go there. */
  hostAddress?(guestPort: number): { host: string; port: number } | undefined;
  /** Removes everything the sandbox made. Safe to call more than once. */
  dispose(): Promise<void>;
}

export interface ProvisionRequest {
  spec: SandboxSpec;
  /** Host paths of the backup, to be made visible read-only. */
  backupPaths: string[];
  /** Scenario name and run id, for labels and leftovers. */
  scenario: string;
  runId: string;
  /** Folder for the sandbox's logs (results/<scenario>/<run>/logs). */
  logDir: string;
  /** Blots the run's secrets out of the sandbox's logs (each command's own environment is blotted out too). */
  redactor?: Redactor;
  signal?: AbortSignal;
  /** True for the drill's own sandbox (the one its checks run in); scratch sandboxes (scans, baselines, controls) leave it out. */
  main?: boolean;
  /** A recovery plan's internal network to join instead of the scenario's own, reachable there by this host name. */
  join?: { network: string; alias: string };
}

/** An internal network made for a plan run, on which dependent systems' sandboxes reach each other. */
export interface PlanNetworkHandle {
  name: string;
  remove(): Promise<void>;
}

export interface SandboxDriver {
  readonly name: DriverName;
  /** Whether this driver can work on this host, and if not, why. */
  available(): Promise<{ ok: boolean; reason?: string }>;
  /** Removes what crashed runs left behind; returns a line per thing removed. */
  removeLeftovers(): Promise<string[]>;
  provision(request: ProvisionRequest): Promise<Sandbox>;
  /** Makes a plan run's internal network (drivers whose sandboxes can share one: docker). */
  planNetwork?(runId: string, plan: string): Promise<PlanNetworkHandle>;
}

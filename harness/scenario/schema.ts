/**
 * The scenario schema: the single source of truth for what a scenario file may say.
 * Objects are strict (a misspelt key is an error), defaults are written here, and the types the
 * rest of the harness uses are derived from it.
 */
import { z } from 'zod';
import { parseDuration } from '../units.ts';
import { rotatesOneFolder } from '../drill/sample-pattern.ts';
import { duration, retryDeadline, size, timer, timestamp } from './values.ts';
import { manifestFormSchema } from './manifest-schema.ts';
import { vmExpectFields, vmMachineSchema } from './vm-schema.ts';
import { accessSchema } from './access-schema.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name like DB_PASSWORD');

/** Secrets are referenced (an environment variable, a file), never written in the scenario. */
export const secretRefSchema = z
  .strictObject({
    env: envName.optional(),
    file: z.string().min(1).optional(),
    value: z.never({ error: 'write env (a variable name) or file (a path), never the secret itself' }).optional(),
  })
  .refine((ref) => (ref.env === undefined) !== (ref.file === undefined), 'expected exactly one of env or file');

/** latest, a point id (or a unique prefix of one), at:<time> (the newest point at or before it), newest-clean, or random-within:<duration>. */
const pointText = z
  .string()
  .min(1)
  .refine((text) => !text.startsWith('at:') || !Number.isNaN(new Date(text.slice(3).trim()).getTime()), 'expected latest, a restore point id, or at:<time> like at:2026-11-24T03:00:00+09:00')
  .refine((text) => !text.startsWith('random-within:') || (parseDuration(text.slice('random-within:'.length)) ?? 0) > 0, 'expected random-within:<duration> like random-within:30d (a point at random among those taken within the last 30 days)');

const pathSource = {
  path: z.string().min(1, 'expected a path (a file, a folder or a glob pattern)'),
  time: timestamp.optional(),
  /** The point drilled when --point is not given (default latest), for a glob of archives or folders. */
  point: pointText.optional(),
};

export const directorySourceSchema = z.strictObject({ kind: z.literal('directory'), ...pathSource });
export const tarSourceSchema = z.strictObject({ kind: z.literal('tar'), ...pathSource });

/** Fields every backup-engine source (restic, borg) has. */
const engineSource = {
  repository: z.string().min(1, 'expected the path of the repository'),
  /** The repository password: an environment variable, or a file. Never the password itself. */
  password_env: envName.optional(),
  password_file: z.string().min(1).optional(),
  password: z.never({ error: 'write password_env (a variable name) or password_file (a path), never the password itself' }).optional(),
  /** The point drilled when --point is not given (default latest). */
  point: pointText.optional(),
  /** Restore only these paths of the point (a sample; the drill then forecasts the full restore time). */
  paths: z.array(z.string().min(1)).min(1).optional(),
  /** Or a different part of each point per run: `count` entries of the folder `rotate` names, those restored longest ago first. */
  sample: z
    .strictObject({
      rotate: z
        .string()
        .min(1)
        .refine(rotatesOneFolder, 'expected a folder and a pattern for the entries in it, like /archive/dicom/* (wildcards * and ? in the last part only)'),
      count: z.number().int().min(1).max(1000).default(1),
    })
    .optional(),
  /** Folder inside the restore root to restore into (default: the root). */
  into: z.string().min(1).optional(),
  /** How long the restore may take before it is stopped. */
  timeout: timer.default(6 * 3_600_000),
};

const onePassword = (s: { password_env?: string; password_file?: string }) => !(s.password_env !== undefined && s.password_file !== undefined);
const oneSample = { message: 'write paths (the same sample every run) or sample (a rotating one), not both', path: ['sample'] };
const notBoth = (s: { paths?: unknown; sample?: unknown }) => s.paths === undefined || s.sample === undefined;

export const resticSourceSchema = z
  .strictObject({ kind: z.literal('restic'), ...engineSource })
  .refine((s) => onePassword(s) && (s.password_env !== undefined || s.password_file !== undefined), {
    message: 'a restic repository needs exactly one of password_env or password_file',
  })
  .refine(notBoth, oneSample);
export const borgSourceSchema = z
  .strictObject({ kind: z.literal('borg'), ...engineSource })
  .refine(onePassword, { message: 'write password_env or password_file, not both (neither for an unencrypted repository)' })
  .refine(notBoth, oneSample);

/** The backups a pgdump's dump can live in. */
export const innerSourceSchema = z.discriminatedUnion('kind', [directorySourceSchema, tarSourceSchema, resticSourceSchema, borgSourceSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'expected kind to be one of: directory, tar, restic, borg' : undefined),
});

export const pgdumpSourceSchema = z
  .strictObject({
    kind: z.literal('pgdump'),
    /** A dump file (or a glob of dumps, one per point) on this host. */
    path: z.string().min(1).optional(),
    time: timestamp.optional(),
    /** Or: the backup that holds the dump, and where the dump is inside it. */
    from: innerSourceSchema.optional(),
    dump: z.string().min(1).optional(),
    /** The database the dump is loaded into (created empty first). */
    database: z.string().min(1).regex(/^[A-Za-z0-9_]+$/, 'expected a database name of letters, digits and _'),
    user: z.string().min(1).default('postgres'),
    format: z.enum(['auto', 'custom', 'plain']).default('auto'),
    /** Starts the database server in the sandbox and returns once it answers; "" when it already runs. */
    start: z.string().default('start-postgres'),
    point: pointText.optional(),
    timeout: timer.default(6 * 3_600_000),
  })
  .refine((s) => (s.path === undefined) !== (s.from === undefined), { message: 'write exactly one of path (a dump file on this host) or from (the backup that holds it)' })
  .refine((s) => s.from === undefined || s.dump !== undefined, { message: 'with from, dump names the dump file inside that backup', path: ['dump'] });

export const sourceSchema = z.discriminatedUnion('kind', [directorySourceSchema, tarSourceSchema, resticSourceSchema, borgSourceSchema, pgdumpSourceSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'expected kind to be one of: directory, tar, restic, borg, pgdump' : undefined,
});

export const sandboxSchema = z.strictObject({
  /** container (local or docker), or vm: the backup is a disk image booted in a throwaway virtual machine. */
  kind: z.enum(['container', 'vm']).default('container'),
  /** The machine, with kind: vm. */
  vm: vmMachineSchema.optional(),
  image: z.string().min(1).default('restore-drill/base:latest'),
  /** "none", or the name of an internal network the scenario owns; never the host's. */
  network: z
    .string()
    .refine((n) => n !== 'host' && n !== 'bridge', "the host's network is never used; write none or an internal network name")
    .default('none'),
  cpus: z.number().positive().max(64).default(1),
  memory: size.default(1024 ** 3),
  pids: z.number().int().positive().default(512),
  /** Size of the restore area, for drivers that use a tmpfs or volume. */
  restore_size: size.optional(),
}).refine((s) => (s.kind === 'vm') === (s.vm !== undefined), { message: 'kind: vm needs vm (the disk to boot), and vm needs kind: vm' });

export const restoreStepSchema = z.strictObject({
  run: z.string().min(1),
  timeout: timer.default(10 * 60_000),
});

export const filesCheckSchema = z.strictObject({
  /** A manifest file on this host, a template of them chosen by the point ({id}, {time:...}), or { inside: PATH } in the point. */
  manifest: manifestFormSchema,
  extra: z.enum(['allow', 'forbid']).default('forbid'),
  /** Folder inside the restore root that the manifest describes. */
  path: z.string().default('.'),
});

const textMatch = z.string().min(1);

export const commandCheckSchema = z.strictObject({
  name: z.string().min(1).optional(),
  run: z.string().min(1),
  exit: z.number().int().min(0).max(255).default(0),
  /** Text the output must contain, or /a regular expression/. */
  stdout: textMatch.optional(),
  stderr: textMatch.optional(),
  timeout: timer.default(30_000),
  /** Retry until this much time has passed since the check began (readiness). */
  until: retryDeadline.optional(),
  interval: timer.default(1000),
});

export const ransomwareCheckSchema = z.strictObject({
  /** false turns the check off (the commands scan and find-clean still use the other settings). */
  scan: z.boolean().default(true),
  /** Folder inside the restore root to scan. */
  path: z.string().default('.'),
  /** Extra indicators files (same shape as harness/ransomware/indicators.yaml), added to the built-in list. */
  indicators: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  sample: z
    .strictObject({
      block_size: size.default(4096),
      /** Blocks read per file, head and tail included. */
      blocks_per_file: z.number().int().min(1).max(64).default(4),
      /** Files sampled per type at most; the rest are judged by name only. */
      max_files_per_type: z.number().int().min(1).default(2000),
    })
    .default({ block_size: 4096, blocks_per_file: 4, max_files_per_type: 2000 }),
  /** Bits per byte at or above which a 4 KiB block of a type that cannot be random counts as encrypted. */
  entropy_threshold: z.number().min(1).max(8).default(7.5),
  /** Change against the previous restore point; false turns it off. */
  change: z
    .union([
      z.literal(false),
      z.strictObject({
        /** The share of files that usually changes between two points (added, removed, modified, renamed). */
        usual_rate: z.number().min(0).max(1).default(0.1),
        /** A change this many times the usual rate is a burst. */
        burst_factor: z.number().min(1).default(3),
        /** Fewer changed files than this are never a burst (tiny trees). */
        min_changed_files: z.number().int().min(1).default(10),
      }),
    ])
    .default({ usual_rate: 0.1, burst_factor: 3, min_changed_files: 10 }),
});

/** How a value is judged: "= 1200", ">= 1000", "!= 0", or a plain value it must equal. */
const comparison = z.union([z.string().min(1), z.number(), z.boolean()]);

const database = {
  /** Default: the pgdump source's database, else postgres. */
  database: z.string().min(1).optional(),
  user: z.string().min(1).default('postgres'),
};

export const sqlCheckSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    query: z.string().min(1),
    ...database,
    /** A single value judged by a comparison. */
    expect: comparison.optional(),
    /** Or the rows, as a set (order ignored unless ordered: true); a row is a list of column values. */
    rows: z.array(z.union([z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])), z.string(), z.number()])).optional(),
    /** Or a file of expected rows (tab-separated columns, one row a line); a unified diff when different. */
    rows_file: z.string().min(1).optional(),
    ordered: z.boolean().default(false),
    timeout: timer.default(30_000),
  })
  .refine((s) => [s.expect, s.rows, s.rows_file].filter((x) => x !== undefined).length === 1, { message: 'write exactly one of expect, rows or rows_file' });

export const httpCheckSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** Requested from inside the sandbox (its own loopback): no port is opened to the host. */
  url: z.string().regex(/^https?:\/\//, 'expected an http:// or https:// URL'),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']).default('GET'),
  status: z.number().int().min(100).max(599).default(200),
  /** Text the body must contain, or /a regular expression/. */
  body: textMatch.optional(),
  /** JSON fields (a.b.0.c) and the value or comparison each must satisfy. */
  json: z.record(z.string(), comparison).optional(),
  /** Retry until this long has passed since the check began (the readiness deadline). */
  until: retryDeadline.default(60_000),
  interval: timer.default(1000),
  /** Per request. */
  timeout: timer.default(10_000),
  /** A log file inside the sandbox whose tail a failure carries (default: the sandbox's own log). */
  log: z.string().min(1).optional(),
});

export const canaryCheckSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    /** A query returning the newest timestamp (a timestamptz) ... */
    sql: z.string().min(1).optional(),
    ...database,
    /** ... or a file or folder inside the restore: the newest file's modification time. */
    file: z.string().min(1).optional(),
    /** Default: the RPO target. */
    max_age: duration.optional(),
  })
  .refine((s) => (s.sql === undefined) !== (s.file === undefined), { message: 'write exactly one of sql or file' });

export const textCheckSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** The restored file, relative to the restore folder. */
  path: z.string().min(1),
  /** The expected copy, on this host (relative to the scenario). */
  expected: z.string().min(1),
});

const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

export const expectSchema = z.strictObject({
  files: filesCheckSchema.optional(),
  command: z.array(commandCheckSchema).optional(),
  sql: z.array(sqlCheckSchema).optional(),
  http: z.array(httpCheckSchema).optional(),
  canary: oneOrMany(canaryCheckSchema).optional(),
  text: z.array(textCheckSchema).optional(),
  ransomware: ransomwareCheckSchema.optional(),
  ...vmExpectFields,
});

export const targetsSchema = z.strictObject({
  rto: duration.optional(),
  rpo: duration.optional(),
  /** How often the scenario must pass a drill; the index marks it overdue after that (default 31d). */
  drill_interval: duration.optional(),
});

export const scenarioSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a short name of lower-case letters, digits, dot, dash or underscore (it names the results folder)'),
  system: z.string().optional(),
  description: z.string().optional(),
  source: sourceSchema,
  sandbox: sandboxSchema.default(sandboxSchema.parse({})),
  /** Secrets given to every command in the sandbox as environment variables, by name. */
  secrets: z.record(envName, secretRefSchema).default({}),
  restore: z.array(restoreStepSchema).default([]),
  expect: expectSchema.default({}),
  targets: targetsSchema.default({}),
  /** After the checks pass, prove they can fail (drill/negative-control.ts); false turns it off. */
  negative_control: z.boolean().default(true),
  /** The BCP's restore order: lower first within one run; scenarios without one come last. */
  priority: z.number().int().min(0).optional(),
  /** What it takes to reach the backup when it is offline: its time is part of the RTO. */
  access: accessSchema.optional(),
});

export type ScenarioSpec = z.infer<typeof scenarioSchema>;
export type SecretRef = z.infer<typeof secretRefSchema>;
export type SourceSpec = z.infer<typeof sourceSchema>;
export type SandboxSpec = z.infer<typeof sandboxSchema>;
export type FilesCheckSpec = z.infer<typeof filesCheckSchema>;
export type CommandCheckSpec = z.infer<typeof commandCheckSchema>;
export type RansomwareCheckSpec = z.infer<typeof ransomwareCheckSchema>;
export type RestoreStepSpec = z.infer<typeof restoreStepSchema>;
export type ResticSourceSpec = z.infer<typeof resticSourceSchema>;
export type BorgSourceSpec = z.infer<typeof borgSourceSchema>;
export type InnerSourceSpec = z.infer<typeof innerSourceSchema>;
export type PgDumpSourceSpec = z.infer<typeof pgdumpSourceSchema>;
export type SqlCheckSpec = z.infer<typeof sqlCheckSchema>;
export type HttpCheckSpec = z.infer<typeof httpCheckSchema>;
export type CanaryCheckSpec = z.infer<typeof canaryCheckSchema>;
export type TextCheckSpec = z.infer<typeof textCheckSchema>;

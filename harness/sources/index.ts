/** Source kinds by name: the one place a new backup engine is registered. */
import type { Scenario } from '../scenario/load.ts';
import type { InnerSourceSpec, SourceSpec } from '../scenario/schema.ts';
import { BorgSource } from './borg.ts';
import { DirectorySource } from './directory.ts';
import { PgDumpSource } from './pgdump.ts';
import { ResticSource } from './restic.ts';
import type { PasswordRef } from './password.ts';
import type { BackupSource } from './source.ts';
import { TarSource } from './tar.ts';

export function createSource(scenario: Scenario, env: NodeJS.ProcessEnv = process.env): BackupSource {
  const spec: SourceSpec = scenario.spec.source;
  if (spec.kind === 'pgdump') {
    return new PgDumpSource({
      inner: spec.from && createInner(scenario, spec.from, 'source.from', env),
      file: spec.path === undefined ? undefined : scenario.resolve(spec.path),
      time: spec.time,
      dump: spec.dump,
      database: spec.database,
      user: spec.user,
      format: spec.format,
      start: spec.start,
      timeoutMs: spec.timeout,
    });
  }
  return createInner(scenario, spec, 'source', env);
}

function createInner(scenario: Scenario, spec: InnerSourceSpec, field: string, env: NodeJS.ProcessEnv): BackupSource {
  switch (spec.kind) {
    case 'directory':
      return new DirectorySource({ path: scenario.resolve(spec.path), time: spec.time });
    case 'tar':
      return new TarSource({ path: scenario.resolve(spec.path), time: spec.time });
    case 'restic':
    case 'borg': {
      const options = {
        repository: scenario.resolve(spec.repository),
        password: passwordRef(scenario, spec, field),
        paths: spec.paths,
        into: spec.into,
        timeoutMs: spec.timeout,
        env,
      };
      return spec.kind === 'restic' ? new ResticSource(options) : new BorgSource(options);
    }
  }
}

/** The repository passwords a scenario names (source, or pgdump's source.from), to read or to redact. */
export function passwordRefs(scenario: Scenario): PasswordRef[] {
  const spec = scenario.spec.source;
  const [inner, field] = spec.kind === 'pgdump' ? [spec.from, 'source.from'] : [spec, 'source'];
  if (inner?.kind !== 'restic' && inner?.kind !== 'borg') return [];
  const ref = passwordRef(scenario, inner, field);
  return ref.env !== undefined || ref.file !== undefined ? [ref] : [];
}

function passwordRef(scenario: Scenario, spec: { password_env?: string; password_file?: string }, field: string): PasswordRef {
  const key = spec.password_env !== undefined ? 'password_env' : 'password_file';
  const at = scenario.problemAt([...field.split('.'), key], '');
  return {
    env: spec.password_env,
    file: spec.password_file === undefined ? undefined : scenario.resolve(spec.password_file),
    field: `${field}.${key}`,
    at: `${at.file}:${at.line}:${at.column}`,
  };
}

/** The point a scenario drills when --point is not given: source.point (or source.from.point), else latest. */
export function scenarioPoint(scenario: Scenario): string | undefined {
  const spec = scenario.spec.source;
  if ('point' in spec && spec.point !== undefined) return spec.point;
  if (spec.kind === 'pgdump' && spec.from && 'point' in spec.from) return spec.from.point;
  return undefined;
}

/** Where the backup is, as the scenario names it (for messages). */
export function sourceWhere(scenario: Scenario): string {
  const spec = scenario.spec.source;
  const inner = spec.kind === 'pgdump' && spec.from ? spec.from : spec;
  if ('repository' in inner) return `The ${inner.kind} repository ${inner.repository}`;
  return `The backup at ${'path' in inner ? inner.path : '?'}`;
}

export { backupPathsOf, selectPoint, parsePointSelector, describeSelector, type BackupSource, type PointSelector, type RestorePoint } from './source.ts';

/**
 * What `restore-drill init` is asked to do, as the command line gives it (commands/init.ts), and the
 * source it describes, written as the scenario schema names its fields.
 */
import path from 'node:path';
import type { SandboxChoice } from '../sandboxes/choices.ts';

export const BACKUP_KINDS = ['tar', 'directory', 'restic', 'borg', 'pgdump'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** The backup flag of each kind (for messages and prompts). */
export const BACKUP_FLAGS: Record<BackupKind, string> = {
  tar: '--tar PATH|GLOB',
  directory: '--dir PATH',
  restic: '--restic REPO',
  borg: '--borg REPO',
  pgdump: '--pgdump FILE',
};

/** The backup as given: every path as the user wrote it (relative to the working directory). */
export interface BackupRequest {
  kind: BackupKind;
  /** The archive, folder, glob, dump file or repository. */
  location: string;
  passwordEnv?: string;
  passwordFile?: string;
  /** pgdump: the database the dump is loaded into. */
  database?: string;
}

/** Possibly incomplete: what the flags said, before prompts fill what is missing. */
export interface InitDraft {
  backup?: Partial<BackupRequest>;
  output?: string;
  name?: string;
  force: boolean;
  /** The sandbox the baseline manifest is restored in (not written into the scenario: run's --sandbox chooses). */
  sandbox: SandboxChoice;
}

export interface InitRequest extends Omit<InitDraft, 'backup' | 'output' | 'name'> {
  backup: BackupRequest;
  /** The scenario file to write. */
  output: string;
  name: string;
}

/** The source as the scenario writes it: paths relative to the scenario's folder. */
export function sourceFields(backup: BackupRequest, scenarioDir: string): Record<string, unknown> {
  const relative = (p: string) => relativePath(scenarioDir, p);
  switch (backup.kind) {
    case 'tar':
    case 'directory':
      return { kind: backup.kind, path: relative(backup.location) };
    case 'restic':
    case 'borg':
      return {
        kind: backup.kind,
        repository: relative(backup.location),
        ...(backup.passwordEnv !== undefined ? { password_env: backup.passwordEnv } : {}),
        ...(backup.passwordFile !== undefined ? { password_file: relative(backup.passwordFile) } : {}),
      };
    case 'pgdump':
      return { kind: 'pgdump', path: relative(backup.location), database: backup.database };
  }
}

/** A path (or glob) given relative to the working directory, written relative to the scenario's folder. */
export function relativePath(scenarioDir: string, given: string): string {
  const relative = path.relative(scenarioDir, path.resolve(given));
  if (relative === '') return '.';
  return relative;
}

/** A scenario name (lower-case letters, digits, . _ -) made from the backup's file or folder name. */
export function nameFrom(location: string): string {
  const parts = path.resolve(location).split(path.sep).filter((part) => part !== '');
  for (const part of parts.reverse()) {
    const base = part.replace(/[*?[{].*$/, '').replace(/\.(tar(\.(gz|zst))?|tgz|dump|sql)$/i, '');
    const name = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/[-_.]+$/, '');
    if (name !== '') return name;
  }
  return 'backup';
}

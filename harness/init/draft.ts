/** What init writes in each section of the scenario, and the comments that say what to edit. */
import type { ManifestStats } from '../manifest/create.ts';
import type { RestorePoint } from '../sources/source.ts';
import { formatBytes } from '../units.ts';
import type { BackupRequest } from './request.ts';
import type { ScenarioDraft, Section } from './scenario-text.ts';
import type { ProposedTargets } from './targets.ts';

/** The files check's baseline: the manifest init wrote from one point. */
export interface FilesBaseline {
  /** The manifest's path as the scenario writes it (relative to the scenario). */
  manifest: string;
  /** The folder inside the restore it describes. */
  folder: string;
  point: RestorePoint;
  stats: ManifestStats;
  /** source.point names this point, since the manifest describes it alone. */
  pinned: boolean;
}

export interface DraftInputs {
  name: string;
  backup: BackupRequest;
  /** The source as written (sourceFields). */
  source: Record<string, unknown>;
  /** Newest first. */
  points: RestorePoint[];
  schema: string;
  files?: FilesBaseline;
  targets: ProposedTargets;
}

const KIND_NAMES: Record<BackupRequest['kind'], string> = {
  tar: 'tar archives',
  directory: 'folder snapshots',
  restic: 'a restic repository',
  borg: 'a borg repository',
  pgdump: 'pg_dump files',
};

/** Name and source only: what init loads first, to list the points through the source itself. */
export function sourceOnlyDraft(name: string, source: Record<string, unknown>, schema: string): ScenarioDraft {
  return { schema, header: [], sections: [['name', { value: name, notes: [] }], ['source', { value: source, notes: [] }]] };
}

export function scenarioDraft(inputs: DraftInputs): ScenarioDraft {
  const newest = inputs.points[0];
  return {
    schema: inputs.schema,
    header: [
      `Written by "restore-drill init" from ${KIND_NAMES[inputs.backup.kind]} (${inputs.points.length} restore point${inputs.points.length === 1 ? '' : 's'}${newest ? `, the newest ${newest.id} of ${newest.time.toISOString()}` : ''}).`,
      'Edit the names and the targets; "restore-drill validate" checks the file, "restore-drill run" drills it.',
    ],
    sections: [
      ['name', { value: inputs.name, notes: ["The scenario's short name: it names the results folder (lower-case letters, digits, . _ -)."] }],
      ['system', { value: inputs.name, notes: ['What the hospital calls this system, as reports show it: edit it (e.g. 紹介状 share).'] }],
      ['source', sourceSection(inputs)],
      ['sandbox', sandboxSection(inputs.backup)],
      ['expect', expectSection(inputs)],
      ['targets', { value: { rto: inputs.targets.rto, rpo: inputs.targets.rpo }, notes: ['Targets from your BCP: init cannot know them, so edit both.'] }],
    ],
    trailing: {
      'targets.rto': 'the longest a restore of this system may take (placeholder)',
      'targets.rpo': `how old the newest point may be: ${inputs.targets.rpoReason}`,
    },
  };
}

function sourceSection(inputs: DraftInputs): Section {
  const { backup } = inputs;
  const notes = [`The backup: ${KIND_NAMES[backup.kind]}. It is only read, never written.`];
  if (backup.passwordEnv !== undefined) notes.push(`The password is read from the environment variable ${backup.passwordEnv} when the drill runs; it is never written here.`);
  if (backup.passwordFile !== undefined) notes.push('The password is read from that file (its first line) when the drill runs; it is never written here.');
  const value = { ...inputs.source };
  if (inputs.files?.pinned) {
    value.point = inputs.files.point.id;
    notes.push(`point: the point the manifest below describes. Remove it once the manifest follows the point (see expect), to drill the newest point.`);
  }
  return { value, notes };
}

function sandboxSection(backup: BackupRequest): Section {
  if (backup.kind === 'pgdump') {
    return {
      value: { image: 'restore-drill/postgres:latest', network: 'none' },
      notes: ['A throwaway PostgreSQL container with no network: drill it with --sandbox docker (images: "restore-drill images build").'],
      flow: true,
    };
  }
  return {
    value: { image: 'restore-drill/base:latest', network: 'none' },
    notes: ['A throwaway sandbox with no network: --sandbox local (bubblewrap on this host) or docker (this image).'],
    flow: true,
  };
}

function expectSection(inputs: DraftInputs): Section {
  if (inputs.backup.kind === 'pgdump') {
    return {
      value: { sql: [{ name: 'the dump made tables', query: "select count(*) from information_schema.tables where table_schema = 'public'", expect: '>= 1' }] },
      notes: ['What the restored database must hold. This only proves the dump loaded some table: add the counts and rows your system needs.'],
    };
  }
  const files = inputs.files!;
  return {
    value: { files: { manifest: files.manifest, path: files.folder, extra: 'forbid' } },
    notes: [
      `files: every file of the restore against ${files.manifest}, which init wrote from point ${files.point.id}`,
      `(${files.stats.files} files, ${formatBytes(files.stats.bytes)}): a changed, missing or extra file FAILs the drill.`,
      'A share that changes between backups needs the expected state of each point: have the backup job',
      'write it ("restore-drill manifest"), point manifest at that and remove source.point (README: "Your first scenario").',
    ],
  };
}

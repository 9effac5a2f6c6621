/** What init writes in each section of the scenario, and the comments that say what to edit. */
import type { ManifestStats } from '../manifest/create.ts';
import type { RestorePoint } from '../sources/source.ts';
import { formatBytes } from '../units.ts';
import { CARRIED_MANIFEST } from './host-manifest.ts';
import type { BackupRequest } from './request.ts';
import type { ScenarioDraft, Section } from './scenario-text.ts';
import type { ProposedTargets } from './targets.ts';

/**
 * The files check's expected state: the manifest the newest point carries (inside), or the one init
 * wrote from it on this host, as a template of one file per point or as one file.
 */
export interface FilesBaseline {
  form: 'inside' | 'template' | 'file';
  /** The path inside the restore (inside), or on this host relative to the scenario. */
  manifest: string;
  /** The folder inside the restore it describes. */
  folder: string;
  point: RestorePoint;
  /** What init wrote (not for inside). */
  stats?: ManifestStats;
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
  return { value: inputs.source, notes };
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
  const manifest = files.form === 'inside' ? { inside: files.manifest } : files.manifest;
  return { value: { files: { manifest, path: files.folder, extra: 'forbid' } }, notes: filesNotes(files) };
}

function filesNotes(files: FilesBaseline): string[] {
  const lead = 'files: every file of the restore against its manifest; a changed, missing or extra file FAILs the drill.';
  const held = `${files.stats?.files ?? 0} files, ${formatBytes(files.stats?.bytes ?? 0)}`;
  const carried = `{ inside: ${files.folder === '.' ? '' : `${files.folder}/`}${CARRIED_MANIFEST} }`;
  const readme = '(README, "The expected state that follows the point")';
  switch (files.form) {
    case 'inside':
      return [lead, `The manifest is the one the backup job writes into the data (${files.manifest}), restored from the same point: a point without it FAILs.`];
    case 'template':
      return [
        lead,
        `The manifest follows the point ({id}: the point's id). init wrote the newest point's (${files.point.id}: ${held});`,
        'a point without its file FAILs, so have the backup job write one for each new point',
        `("restore-drill manifest FOLDER -o ${files.manifest.replace('{id}', 'ID')}"), or write it into the data and name it`,
        `here as manifest: ${carried} ${readme}.`,
      ];
    case 'file':
      return [
        lead,
        `init wrote it from point ${files.point.id} (${held}). When the backup changes, write it again ("restore-drill manifest"),`,
        `or have the backup job write it into the data and name it here as manifest: ${carried} ${readme}.`,
      ];
  }
}

/**
 * restore-drill init: from a backup that is already there, a scenario that validates and drills.
 * The source is loaded as a scenario first and its points listed through the source itself (never a
 * write to the backup); the newest point is restored into a throwaway sandbox for the baseline
 * manifest; the scenario text is loaded by the scenario loader in-process, references checked, before
 * it is written: init never writes a scenario that does not validate.
 */
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BackupError, ScenarioError, UsageError } from '../errors.ts';
import { parseScenario, type Scenario } from '../scenario/load.ts';
import { checkReferences } from '../scenario/references.ts';
import { chooseDriver } from '../sandboxes/index.ts';
import { redactingDriver, redactorFor } from '../secrets/run-redactor.ts';
import { createSource } from '../sources/index.ts';
import type { BackupSource, RestorePoint } from '../sources/source.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { formatLocalTime } from '../reporters/local-time.ts';
import { formatBytes, formatDuration, parseDuration } from '../units.ts';
import { writeBaseline } from './baseline.ts';
import { hostManifestFor } from './host-manifest.ts';
import { scenarioDraft, sourceOnlyDraft, type FilesBaseline } from './draft.ts';
import { BACKUP_FLAGS, sourceFields, type InitRequest } from './request.ts';
import { schemaReference } from './schema-reference.ts';
import { scenarioText } from './scenario-text.ts';
import { proposeTargets } from './targets.ts';

export interface InitOutcome {
  scenarioFile: string;
  points: RestorePoint[];
  /** Lines for the operator: what was written and what to do next. */
  summary: string[];
}

export async function initScenario(request: InitRequest, signal: AbortSignal): Promise<InitOutcome> {
  const scenarioFile = path.resolve(request.output);
  await refuseExisting(scenarioFile, request.force);
  const dir = path.dirname(scenarioFile);
  const schema = schemaReference(dir);
  const source = sourceFields(request.backup, dir);
  const first = await loadChecked(scenarioText(sourceOnlyDraft(request.name, source, schema)), scenarioFile, request);
  const redactor = await redactorFor([first]);
  const made: string[] = [];
  try {
    const backup = createSource(first);
    const points = await backup.points(signal);
    const newest = points[0];
    if (!newest) throw new BackupError('NO_RESTORE_POINT', `${BACKUP_FLAGS[request.backup.kind].split(' ')[0]} ${request.backup.location} has no restore point: the backup is empty or the path matches nothing.`);
    const files = request.backup.kind === 'pgdump' ? undefined : await expectedState({ request, scenario: first, backup, points, scenarioFile, redactor, made, signal });
    const targets = proposeTargets(points);
    const text = scenarioText(scenarioDraft({ name: request.name, backup: request.backup, source, points, schema, files, targets }));
    await loadChecked(text, scenarioFile, request);
    await makeFolder(dir, made);
    await writeFile(scenarioFile, text, { flag: request.force ? 'w' : 'wx' });
    const summary = [...summaryOf(request, points, files, targets.rpo), ...resultsNote(backup.backupPaths)];
    return { scenarioFile, points, summary };
  } catch (err) {
    await removeMade(made);
    throw redactor.error(err);
  }
}

interface StateRequest {
  request: InitRequest;
  scenario: Scenario;
  backup: BackupSource;
  points: RestorePoint[];
  scenarioFile: string;
  redactor: Redactor;
  /** What init made, removed again when it fails. */
  made: string[];
  signal: AbortSignal;
}

/** The files check's expected state, from the newest point restored: the manifest it carries, or one init writes on this host. */
async function expectedState(r: StateRequest): Promise<FilesBaseline> {
  const newest = r.points[0]!;
  const host = hostManifestFor(r.request.backup, r.scenarioFile, newest, r.points.length);
  const existed = await exists(host.file);
  if (existed && !r.request.force) throw alreadyThere(host.file);
  await makeFolder(path.dirname(host.file), r.made);
  if (!existed) r.made.push(host.file);
  const { driver } = await chooseDriver(r.request.sandbox);
  const baseline = await withLogDir((logDir) =>
    writeBaseline({ scenario: r.scenario, source: r.backup, point: newest, driver: redactingDriver(driver, r.redactor), folders: foldersOf(newest), manifestFile: host.file, logDir, signal: r.signal }),
  );
  if ('carried' in baseline) {
    await removeMade(r.made); // nothing on this host is needed
    return { form: 'inside', manifest: baseline.carried, folder: baseline.folder, point: newest };
  }
  return { form: host.template ? 'template' : 'file', manifest: host.written, folder: baseline.folder, point: newest, stats: baseline.stats };
}

/**
 * A drill proves it left the backup as it was by comparing the folder that holds it before and after;
 * run's default results folder (results/ here) inside that folder would change it, and the drill ends
 * in ERROR (BACKUP_CHANGED). Said now, while it is one flag to fix.
 */
function resultsNote(watched: string[]): string[] {
  const results = path.resolve('results');
  const inside = watched.find((folder) => !path.relative(folder, results).startsWith('..'));
  if (!inside) return [];
  return [`note: ${inside} holds the backup, and a drill watches it for changes: run the drills from another folder or with --results DIR outside it, or the results written there end them in ERROR (BACKUP_CHANGED)`];
}

/** Makes a folder and its parents, noting the first one made (to be removed again if init fails). */
async function makeFolder(folder: string, made: string[]): Promise<void> {
  const first = await mkdir(folder, { recursive: true });
  if (first) made.push(first);
}

/** Removes what init made, newest first (a file, then the folders made for it). */
async function removeMade(made: string[]): Promise<void> {
  for (const each of made.splice(0).reverse()) await rm(each, { recursive: true, force: true });
}

/** The scenario text through the loader and the reference checks, as validate runs them; a problem is init's to report. */
async function loadChecked(text: string, file: string, request: InitRequest): Promise<Scenario> {
  let scenario: Scenario;
  try {
    scenario = parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`the scenario init would write is not valid, so it was not written:\n${err.message}`);
    throw err;
  }
  const problems = await checkReferences(scenario);
  if (problems.length > 0) {
    const flag = BACKUP_FLAGS[request.backup.kind].split(' ')[0];
    throw new UsageError(`${flag} ${request.backup.location}: ${problems.map((p) => p.message).join('; ')}${problems.some((p) => p.field === 'source.path') ? ' (a glob must be quoted so the shell leaves it to init)' : ''}`);
  }
  return scenario;
}

/**
 * Where the files check starts: a point that holds one path (restic, borg) is verified from that
 * folder: under its full path, or under its last part alone (restic before 0.17 keeps only that).
 */
function foldersOf(point: RestorePoint): string[] {
  const only = point.paths?.length === 1 ? point.paths[0]!.replace(/^\/+/, '') : '';
  return only === '' ? [] : [...new Set([only, path.posix.basename(only)])];
}

async function refuseExisting(file: string, force: boolean): Promise<void> {
  if (!force && (await exists(file))) throw alreadyThere(file);
}

function alreadyThere(file: string): UsageError {
  return new UsageError(`${path.relative(process.cwd(), file) || file} already exists: init does not overwrite it (give another -o FILE, or --force to replace it)`);
}

function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** Sandbox logs of the baseline restore, in a temporary folder removed afterwards. */
async function withLogDir<T>(body: (logDir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-init-'));
  try {
    return await body(path.join(dir, 'logs'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SHOWN_POINTS = 5;

function summaryOf(request: InitRequest, points: RestorePoint[], files: FilesBaseline | undefined, rpo: string): string[] {
  const output = path.relative(process.cwd(), path.resolve(request.output)) || request.output;
  const shown = points.slice(0, SHOWN_POINTS).map((p) => `  ${p.id}  ${formatLocalTime(p.time)}${p.sizeBytes !== undefined ? `  ${formatBytes(p.sizeBytes)}` : ''}`);
  if (points.length > SHOWN_POINTS) shown.push(`  ... and ${points.length - SHOWN_POINTS} older ("restore-drill points ${output}" lists them all)`);
  const lines = [`${points.length} restore point${points.length === 1 ? '' : 's'}, newest first:`, ...shown];
  lines.push(`wrote ${output} (${request.name}): ${request.backup.kind} source, the newest point ${points[0]!.id}`);
  if (files?.form === 'inside') lines.push(`the point carries its manifest (${files.manifest}, written by the backup job): the files check reads it from each point drilled`);
  else if (files?.stats) lines.push(`wrote the manifest of point ${files.point.id} (${files.stats.files} files, ${formatBytes(files.stats.bytes)}) as ${files.manifest}${files.form === 'template' ? `, ${'{id}'} the point's id: the backup job writes one for each new point` : ''}`);
  const age = Date.now() - points[0]!.time.getTime();
  if (age > (parseDuration(rpo) ?? Infinity)) {
    lines.push(`note: the newest point is ${formatDuration(age)} old, older than the RPO written (${rpo}): a drill now ends LATE. Has the backup stopped? Else edit targets.rpo.`);
  }
  lines.push(`next: edit the names and targets in ${output}, then: restore-drill validate ${output} && restore-drill run ${output}`);
  return lines;
}


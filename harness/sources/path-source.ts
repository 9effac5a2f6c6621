/** Sources whose restore points are files or folders on this host: a path, or a glob of them. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { BackupError } from '../errors.ts';
import { sortNewestFirst, type BackupSource, type RestorePoint } from './source.ts';

export interface PathPointsOptions {
  pattern: string;
  /** Declared time of the point, when the pattern names a single path. */
  declaredTime?: Date;
  type: 'file' | 'directory';
  /** Turns a matched path into a point id (default: its base name). */
  idOf?: (matched: string) => string;
}

export async function pointsFromPaths(options: PathPointsOptions): Promise<RestorePoint[]> {
  const matches = await expandPattern(options.pattern, options.type);
  if (options.declaredTime && matches.length > 1) {
    throw new BackupError('AMBIGUOUS_TIME', `source.time names one point but ${options.pattern} matches ${matches.length} paths.`);
  }
  const points = await Promise.all(matches.map((matched) => pointOf(matched, options)));
  return sortNewestFirst(points);
}

/**
 * The paths an absolute path or glob names. The pattern's folders without glob characters are taken
 * literally, so a folder name with brackets or spaces before the glob part still works.
 */
export async function expandPattern(pattern: string, type?: 'file' | 'directory'): Promise<string[]> {
  if (!fg.isDynamicPattern(pattern)) return [pattern];
  const base = staticBase(pattern);
  return fg(path.relative(base, pattern).split(path.sep).join('/'), {
    cwd: base,
    absolute: true,
    onlyFiles: type === 'file',
    onlyDirectories: type === 'directory',
  });
}

async function pointOf(matched: string, options: PathPointsOptions): Promise<RestorePoint> {
  let info;
  try {
    info = await stat(matched);
  } catch {
    throw new BackupError('BACKUP_NOT_FOUND', `The backup ${matched} does not exist. Check source.path in the scenario (relative paths start at the scenario's folder).`);
  }
  const wanted = options.type === 'file' ? info.isFile() : info.isDirectory();
  if (!wanted) {
    throw new BackupError('BACKUP_NOT_FOUND', `The backup ${matched} is not a ${options.type}.`);
  }
  return {
    id: options.idOf ? options.idOf(matched) : path.basename(matched),
    time: options.declaredTime ?? info.mtime,
    location: matched,
    sizeBytes: options.type === 'file' ? info.size : undefined,
  };
}

export interface PathSourceOptions {
  /** An absolute path, or a glob of paths: one restore point each. */
  path: string;
  time?: Date;
}

/** A source whose restore points are archives or folders on this host (tar, directory). */
export abstract class PathSource implements Pick<BackupSource, 'backupPaths' | 'points'> {
  readonly backupPaths: string[];
  protected readonly options: PathSourceOptions;
  protected abstract readonly pointType: 'file' | 'directory';

  constructor(options: PathSourceOptions) {
    this.options = options;
    this.backupPaths = [staticBase(options.path)];
  }

  points(): Promise<RestorePoint[]> {
    return pointsFromPaths({ pattern: this.options.path, declaredTime: this.options.time, type: this.pointType });
  }

  /** The point's own archive or folder: its siblings (other days' backups) stay out of the sandbox. */
  backupPathsFor(point: RestorePoint): string[] {
    return [point.location];
  }
}

/** The folder a pattern starts from: its leading folders without glob characters. */
export function staticBase(pattern: string): string {
  const parts = pattern.split(path.sep);
  const firstDynamic = parts.findIndex((part) => part !== '' && fg.isDynamicPattern(part));
  return firstDynamic === -1 ? path.dirname(pattern) : parts.slice(0, firstDynamic).join(path.sep) || path.sep;
}

/**
 * Where an entry lands, relative to the restore root, or undefined when it would land outside it.
 * `link` is a symbolic link's target, judged from the entry's own folder.
 */
export function landsInside(entryPath: string, link?: string): boolean {
  const normalized = path.posix.normalize(entryPath.replace(/\\/g, '/'));
  if (path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) return false;
  if (link === undefined) return true;
  if (path.posix.isAbsolute(link)) return false;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(normalized), link));
  return !(target === '..' || target.startsWith('../'));
}

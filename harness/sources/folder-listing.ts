/**
 * The entries directly in one folder of a point, from a tool's JSON-lines listing (`restic ls --json`,
 * `borg list --json-lines`). The names come from the backup (hostile input): they are only compared
 * and passed on as single arguments, never interpreted.
 */
import path from 'node:path';
import { InfrastructureError } from '../errors.ts';

/** The host keeps the last 1 MiB a tool prints; a listing that large may have lost its first lines. */
export const LISTING_LIMIT_BYTES = 1024 * 1024 - 4096;

export function entriesIn(folder: string, jsonLines: string, command: string): string[] {
  if (Buffer.byteLength(jsonLines) >= LISTING_LIMIT_BYTES) {
    throw new InfrastructureError(
      'LISTING_TOO_LARGE',
      `"${command}" printed more than 1 MiB (thousands of entries): too many to choose a rotating sample from. Make sample.rotate name a smaller folder (a year's or a month's studies).`,
    );
  }
  const base = folder.replace(/\/+$/, '');
  const entries = new Set<string>();
  for (const line of jsonLines.split('\n')) {
    if (!line.trim()) continue;
    let node: { path?: unknown; struct_type?: unknown };
    try {
      node = JSON.parse(line) as typeof node;
    } catch {
      continue;
    }
    if (typeof node.path !== 'string' || node.struct_type === 'snapshot') continue;
    if (path.posix.dirname(node.path) === base && node.path !== base) entries.add(node.path);
  }
  return [...entries].sort();
}

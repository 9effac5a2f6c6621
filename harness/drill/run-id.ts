import { randomBytes } from 'node:crypto';

/** Sortable and unique: 2026-11-25T14-50-00-123Z-3fa1. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/:/g, '-').replace('.', '-')}-${randomBytes(2).toString('hex')}`;
}

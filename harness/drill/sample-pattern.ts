/**
 * The pattern of a rotating sample (`sample.rotate`): a folder of the backup and a pattern for the
 * entries directly in it (/archive/dicom/*, /archive/dicom/2026-*). Only the last part may have
 * wildcards, so that choosing needs the listing of one folder, never of the whole point.
 */
export interface RotatePattern {
  /** The folder listed, as the backup tool names it (/archive/dicom). */
  folder: string;
  /** Whether an entry's name (study-0001) matches the last part. */
  matches(name: string): boolean;
}

const WILDCARD = /[*?]/;
const GLOB_CHARS = /[*?[\]{}!]/;

export function rotatesOneFolder(text: string): boolean {
  const slash = text.replace(/\/+$/, '').lastIndexOf('/');
  if (slash < 0) return false;
  const folder = text.slice(0, slash);
  const last = text.slice(slash + 1);
  return folder.replace(/^\/+/, '') !== '' && !GLOB_CHARS.test(folder) && last !== '' && !/[[\]{}!]/.test(last);
}

export function rotatePattern(text: string): RotatePattern {
  const trimmed = text.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const folder = trimmed.slice(0, slash);
  const last = trimmed.slice(slash + 1);
  if (!WILDCARD.test(last)) return { folder, matches: (name) => name === last };
  const regex = new RegExp(`^${last.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^$()|\\]/g, '\\$&'))).join('')}$`, 's');
  return { folder, matches: (name) => regex.test(name) };
}

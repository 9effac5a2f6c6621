/**
 * Manifest templates: a manifest on the drill host chosen by the point drilled, e.g.
 * `manifests/{id}.sha256` or `manifests/share-{time:YYYY-MM-DD}.sha256`. Placeholders:
 *  - {id}: the point's id (restic/borg snapshot or archive id, the tar archive's or folder's name),
 *  - {time:FORMAT}: the point's time in the local zone (TZ, --tz), {utc:FORMAT} in UTC; FORMAT is
 *    made of YYYY MM DD HH mm ss and any other characters, kept as written.
 * A path without "{" is a plain file, as before.
 */
import type { RestorePoint } from '../sources/source.ts';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const TIME_TOKENS = /YYYY|MM|DD|HH|mm|ss/g;

export function isManifestTemplate(file: string): boolean {
  return file.includes('{');
}

/** What is wrong with a template, for the scenario's validation; undefined when it is right. */
export function templateProblem(template: string): string | undefined {
  const outside = template.replace(PLACEHOLDER, '');
  if (/[{}]/.test(outside)) return `unbalanced { or } in ${template}: write placeholders as {id}, {time:YYYY-MM-DD} or {utc:YYYY-MM-DD}`;
  for (const [, inner] of template.matchAll(PLACEHOLDER)) {
    if (inner === 'id') continue;
    const time = /^(time|utc):(.+)$/.exec(inner!);
    if (!time) return `unknown placeholder {${inner}} in ${template}: use {id}, {time:FORMAT} or {utc:FORMAT}`;
    if (!/YYYY|MM|DD|HH|mm|ss/.test(time[2]!)) return `{${inner}} in ${template} names no part of the time: use YYYY, MM, DD, HH, mm, ss`;
  }
  return undefined;
}

/** The folder part before the first placeholder: what must exist on the host before a drill. */
export function templateFolder(template: string): string {
  const head = template.slice(0, template.indexOf('{'));
  const slash = head.lastIndexOf('/');
  return slash < 0 ? '.' : head.slice(0, slash) || '/';
}

/**
 * The file a template names for a point. A value with "/" or a name of only dots (a hostile id) would
 * lead elsewhere on the host: undefined, and the caller names the point.
 */
export function expandTemplate(template: string, point: Pick<RestorePoint, 'id' | 'time'>, zone?: string): string | undefined {
  let unsafe = false;
  const expanded = template.replace(PLACEHOLDER, (_, inner: string) => {
    const value = inner === 'id' ? point.id : formatTime(point.time, inner.slice(inner.indexOf(':') + 1), inner.startsWith('utc:') ? 'UTC' : zone);
    if (value.includes('/') || value.includes('\0') || /^\.*$/.test(value)) unsafe = true;
    return value;
  });
  return unsafe ? undefined : expanded;
}

function formatTime(time: Date, format: string, zone: string | undefined): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(time)
      .map((part) => [part.type, part.value]),
  );
  const token: Record<string, string> = { YYYY: parts.year!, MM: parts.month!, DD: parts.day!, HH: parts.hour!, mm: parts.minute!, ss: parts.second! };
  return format.replace(TIME_TOKENS, (t) => token[t]!);
}

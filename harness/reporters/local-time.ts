/**
 * Times as people read them: in the local time zone with its offset, e.g. `2026-12-02 04:19 JST (+09:00)`.
 * The zone is the process's (TZ, which `--tz` sets; else the host's). Only what is shown is local:
 * result.json and evidence keep UTC (ISO 8601 with Z).
 */
import { UsageError } from '../errors.ts';

/** Locales tried for the zone's short name (JST, EST, CET): each knows only some zones by name. */
const NAME_LOCALES = ['en-US', 'en-GB', 'ja-JP'];

export interface LocalTimeOptions {
  /** Show seconds too (a drill's start and end). */
  seconds?: boolean;
  /** An IANA zone instead of the process's (tests; the CLI sets TZ). */
  zone?: string;
}

/** `2026-12-02 04:19 JST (+09:00)`; the text itself when it is not a time, '' for none. */
export function formatLocalTime(time: string | Date | undefined, options: LocalTimeOptions = {}): string {
  if (time === undefined || time === '') return '';
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) return String(time);
  const parts = partsOf(date, options.zone);
  const clock = `${parts.hour}:${parts.minute}${options.seconds ? `:${parts.second}` : ''}`;
  const offset = offsetOf(date, options.zone);
  const name = shortNameOf(date, options.zone);
  return `${parts.year}-${parts.month}-${parts.day} ${clock}${name ? ` ${name}` : ''} (${offset})`;
}

/** The zone named by `--tz`, checked: a UsageError naming the flag for a zone Node does not know. */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(`--tz ${zone}: not a time zone this Node knows; give an IANA name such as Asia/Tokyo, Europe/Berlin or UTC`);
  }
}

function partsOf(date: Date, zone: string | undefined): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

/** +09:00, -05:00, +00:00. */
function offsetOf(date: Date, zone: string | undefined): string {
  const gmt = zoneNameOf(date, zone, 'en-US', 'longOffset');
  return gmt === 'GMT' ? '+00:00' : gmt.replace(/^GMT/, '');
}

/** JST, EST, CET, UTC; undefined where no locale has a name, only "GMT+5:30". */
function shortNameOf(date: Date, zone: string | undefined): string | undefined {
  for (const locale of NAME_LOCALES) {
    const name = zoneNameOf(date, zone, locale, 'short');
    if (!/^GMT[+-]/.test(name)) return name;
  }
  return undefined;
}

function zoneNameOf(date: Date, zone: string | undefined, locale: string, style: 'short' | 'longOffset'): string {
  const format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: style });
  return format.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

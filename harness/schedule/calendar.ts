/**
 * A drill interval (targets.drill_interval) as a calendar the host's scheduler keeps: the longest of
 * monthly, weekly, daily or every n hours whose gap between two runs is not longer than the interval,
 * at a quiet hour of the night. systemd adds a random delay (RandomizedDelaySec) so that many drills of
 * one host do not start at once; cron, which has none, gets a minute spread by the scenario's name.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.ts';
import { formatDuration } from '../units.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The index's default when a scenario has no drill_interval (restore-drill report --interval). */
export const DEFAULT_DRILL_INTERVAL_MS = 31 * DAY;
/** Drills start in the night, when the systems they restore are least busy. */
const START_HOUR = 2;
const MAX_DELAY_S = 3600;

export interface Calendar {
  /** In words, for the unit's description and the crontab's comment. */
  words: string;
  /** The longest time between two runs (without the random delay). */
  gapMs: number;
  /** systemd's OnCalendar= expression. */
  onCalendar: string;
  /** The five time fields of a crontab line. */
  cron(minute: number): string;
  /** systemd's RandomizedDelaySec=, in seconds. */
  delaySeconds: number;
}

export function calendarFor(intervalMs: number): Calendar {
  if (intervalMs >= 31 * DAY) return calendar('monthly, on the 1st', 31 * DAY, `*-*-01 0${START_HOUR}:00:00`, (m) => `${m} ${START_HOUR} 1 * *`);
  if (intervalMs >= 7 * DAY) return calendar('weekly, on Sunday', 7 * DAY, `Sun *-*-* 0${START_HOUR}:00:00`, (m) => `${m} ${START_HOUR} * * 0`);
  if (intervalMs >= DAY) return calendar('daily', DAY, `*-*-* 0${START_HOUR}:00:00`, (m) => `${m} ${START_HOUR} * * *`);
  const hours = [12, 8, 6, 4, 3, 2, 1].find((n) => n * HOUR <= intervalMs);
  if (hours === undefined) {
    throw new UsageError(`a drill interval of ${formatDuration(intervalMs)} is shorter than an hour: a restore drill is not a monitor; give targets.drill_interval of 1h or more`);
  }
  const words = hours === 1 ? 'every hour' : `every ${hours} hours`;
  return calendar(words, hours * HOUR, hours === 1 ? '*-*-* *:00:00' : `*-*-* 00/${hours}:00:00`, (m) => `${m} ${hours === 1 ? '*' : `*/${hours}`} * * *`);
}

function calendar(words: string, gapMs: number, onCalendar: string, cron: (minute: number) => string): Calendar {
  // A tenth of the gap, at most an hour: drills spread out, and a run is never late by more than that.
  return { words, gapMs, onCalendar, cron, delaySeconds: Math.min(MAX_DELAY_S, Math.floor(gapMs / 10 / 1000)) };
}

/** A minute of the hour that depends only on the name, so that cron drills of one host spread out. */
export function minuteOf(name: string): number {
  return createHash('sha256').update(name).digest().readUInt16BE(0) % 60;
}

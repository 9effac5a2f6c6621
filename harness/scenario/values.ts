/** The scenario's value types: human durations and sizes, timestamps, and durations a timer waits for. */
import { z } from 'zod';
import { formatDuration, parseDuration, parseSize } from '../units.ts';

export const duration = z.string({ error: 'expected a duration like 30m or 2h' }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 30m or 2h, got '${text}'` });
    return z.NEVER;
  }
  return ms;
});

export const size = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  const bytes = typeof value === 'number' ? value : parseSize(value);
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 512m or 2g, got '${value}'` });
    return z.NEVER;
  }
  return bytes;
});

export const timestamp = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `expected a time like 2026-11-01T03:00:00+09:00, got '${String(value)}'` });
    return z.NEVER;
  }
  return date;
});

/**
 * Node's timers hold at most 2^31-1 ms (about 24.8 days); a longer one fires at once. 24d is the
 * longest timeout or interval a scenario may give; targets (rto, rpo, drill_interval) are compared,
 * not waited for, and have no such limit.
 */
export const MAX_TIMER_MS = 24 * 86_400_000;

const tooLong = (ms: number) => `${formatDuration(ms)} is too long: a timeout or interval may be at most ${formatDuration(MAX_TIMER_MS)}`;

/** A duration something waits for (a timeout, an interval): more than 0, at most 24d. */
export const timer = duration.superRefine((ms, ctx) => {
  if (ms <= 0) ctx.addIssue({ code: 'custom', message: 'must be longer than 0' });
  else if (ms > MAX_TIMER_MS) ctx.addIssue({ code: 'custom', message: tooLong(ms) });
});

/** How long to keep retrying (until): 0 means one attempt; at most 24d. */
export const retryDeadline = duration.superRefine((ms, ctx) => {
  if (ms > MAX_TIMER_MS) ctx.addIssue({ code: 'custom', message: tooLong(ms) });
});

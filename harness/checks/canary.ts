/**
 * canary: the data is fresh, not just present. The newest timestamp a query returns (a daily canary
 * row) or the newest file's modification time under a folder is no older than max_age (default: the
 * RPO target), measured when the check runs.
 */
import { readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../errors.ts';
import type { CanaryCheckSpec } from '../scenario/schema.ts';
import { formatDuration } from '../units.ts';
import { checkResult, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';
import { runQuery } from './psql.ts';

export class CanaryCheck implements Check<'canary'> {
  readonly kind = 'canary';
  readonly phase = 'verify';
  readonly name: string;
  private readonly spec: CanaryCheckSpec;
  private readonly maxAgeMs: number;
  private readonly database: string;

  constructor(spec: CanaryCheckSpec, options: { maxAgeMs: number; database: string }) {
    this.spec = spec;
    this.maxAgeMs = spec.max_age ?? options.maxAgeMs;
    this.database = spec.database ?? options.database;
    this.name = spec.name ?? (spec.sql !== undefined ? `newest row of: ${spec.sql}` : `newest file in ${spec.file}`);
  }

  async run(context: CheckContext): Promise<CheckResultOf<'canary'>> {
    const started = context.clock.monotonic();
    const found = this.spec.sql !== undefined ? await this.fromQuery(context) : await this.fromFiles(context);
    const now = context.clock.now();
    const findings: Finding[] = [];
    let ageMs: number | undefined;
    if ('problem' in found) findings.push({ rule: 'canary', message: found.problem });
    else {
      ageMs = now.getTime() - found.time.getTime();
      if (ageMs > this.maxAgeMs) {
        findings.push({
          rule: 'stale',
          subject: found.subject,
          message: `the newest ${found.subject} is from ${found.time.toISOString()}, ${formatDuration(ageMs)} old: older than ${formatDuration(this.maxAgeMs)}`,
          expected: `at most ${formatDuration(this.maxAgeMs)} old`,
          actual: found.time.toISOString(),
        });
      }
    }
    return checkResult(this, context.clock, {
      findings,
      passed: 'time' in found ? `the newest ${found.subject} is ${formatDuration(ageMs!)} old (at most ${formatDuration(this.maxAgeMs)})` : '',
      startedAt: started,
      details: { maxAgeMs: this.maxAgeMs, newest: 'time' in found ? found.time.toISOString() : undefined, ageMs },
    });
  }

  private async fromQuery(context: CheckContext): Promise<Found> {
    // The query's single column, as seconds since 1970 (a timestamptz keeps its zone).
    const wrapped = `select extract(epoch from canary)::text from (${this.spec.sql!.replace(/;\s*$/, '')}) as canary_query(canary)`;
    const outcome = await runQuery(context.sandbox, wrapped, { database: this.database, user: this.spec.user, timeoutMs: 30_000, signal: context.signal });
    if (!outcome.ok) return { problem: outcome.message };
    const value = outcome.rows[0]?.[0];
    if (outcome.rows.length !== 1 || value === undefined || value === '') return { problem: 'the canary query returned no timestamp: the canary row is missing' };
    return { time: new Date(Number(value) * 1000), subject: 'canary row' };
  }

  private async fromFiles(context: CheckContext): Promise<Found> {
    const root = path.resolve(context.sandbox.hostRestoreDir, this.spec.file!);
    if (!root.startsWith(path.resolve(context.sandbox.hostRestoreDir))) throw new BackupError('CANARY_OUTSIDE', `expect.canary.file ${this.spec.file} points outside the restore folder.`);
    const newest = await newestFile(root, context.signal);
    if (!newest) return { problem: `no file was restored under ${this.spec.file}` };
    return { time: newest.time, subject: `file (${path.relative(context.sandbox.hostRestoreDir, newest.path)})` };
  }
}

type Found = { time: Date; subject: string } | { problem: string };

async function newestFile(root: string, signal: AbortSignal): Promise<{ path: string; time: Date } | undefined> {
  let best: { path: string; time: Date } | undefined;
  const consider = async (file: string) => {
    const info = await lstat(file);
    if (info.isFile() && (!best || info.mtime > best.time)) best = { path: file, time: info.mtime };
    return info;
  };
  let info;
  try {
    info = await consider(root);
  } catch {
    return undefined;
  }
  if (!info.isDirectory()) return best;
  const pending = [root];
  while (pending.length > 0) {
    signal.throwIfAborted();
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) await consider(full);
    }
  }
  return best;
}

/**
 * The one rule that decides what a crashed run left behind, for every sandbox driver (local folders,
 * docker containers, networks and host folders, and the VM driver to come): a thing is a leftover only
 * when it was made on this host, by a process that is gone, longer ago than the grace period. Things
 * made on another host (a shared engine, a shared folder) are never removed: their process cannot be
 * checked from here. Pure: unit-tested with a fixed time and a fake process table.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseDuration } from '../units.ts';
import { processAlive } from './process.ts';

/** Leftovers younger than this are never touched (their run may still be starting). */
export const DEFAULT_LEFTOVER_GRACE_MS = 60_000;

/** Who made a sandbox's thing, as recorded in an owner file or in labels. */
export interface LeftoverOwner {
  pid: number;
  /** Milliseconds since 1970. */
  created: number;
  host?: string;
  run?: string;
  scenario?: string;
}

export interface LeftoverJudge {
  now: number;
  host: string;
  graceMs: number;
  /** Whether a process of this host is still running. */
  alive(pid: number): boolean;
}

/** The judge for now on this host; the grace period from the option, else RESTORE_DRILL_LEFTOVER_GRACE, else 60 s. */
export function leftoverJudge(options: { now?: Date; graceMs?: number } = {}, env: NodeJS.ProcessEnv = process.env): LeftoverJudge {
  const fromEnv = env.RESTORE_DRILL_LEFTOVER_GRACE ? parseDuration(env.RESTORE_DRILL_LEFTOVER_GRACE) : undefined;
  return {
    now: (options.now ?? new Date()).getTime(),
    host: os.hostname(),
    graceMs: options.graceMs ?? fromEnv ?? DEFAULT_LEFTOVER_GRACE_MS,
    alive: processAlive,
  };
}

/** Why the thing is a leftover, or undefined when it must be left alone. */
export function leftoverReason(owner: LeftoverOwner | undefined, judge: LeftoverJudge): string | undefined {
  if (!owner || owner.host !== judge.host || !Number.isInteger(owner.pid) || owner.pid <= 0 || !Number.isFinite(owner.created)) return undefined;
  if (judge.now - owner.created < judge.graceMs || judge.alive(owner.pid)) return undefined;
  const ageMinutes = Math.round((judge.now - owner.created) / 60_000);
  return `process ${owner.pid} that made it is gone (made ${ageMinutes} min ago, scenario ${owner.scenario ?? '?'}, run ${owner.run ?? '?'})`;
}

/** What a driver writes into a sandbox's owner file. */
export function ownerRecord(runId: string, scenario: string, now: Date): Required<LeftoverOwner> {
  return { pid: process.pid, created: now.getTime(), host: os.hostname(), run: runId, scenario };
}

/** The owner file of a folder, or undefined when there is none (not ours, or still being made). */
export async function readOwnerFile(file: string): Promise<LeftoverOwner | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<LeftoverOwner>;
    if (typeof value.pid !== 'number' || typeof value.created !== 'number') return undefined;
    return { pid: value.pid, created: value.created, host: typeof value.host === 'string' ? value.host : undefined, run: stringOr(value.run), scenario: stringOr(value.scenario) };
  } catch {
    return undefined;
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

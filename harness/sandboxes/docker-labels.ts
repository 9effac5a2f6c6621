/**
 * The labels every container and network of a drill carries, and the rule that decides which labelled
 * things a crashed run left behind. Pure functions: the leftover rule is unit-tested with a fake clock
 * and a fake process table.
 */
import os from 'node:os';
import type { Labelled } from './docker-runtime.ts';

export const LABEL = {
  run: 'restore-drill.run',
  scenario: 'restore-drill.scenario',
  created: 'restore-drill.created',
  pid: 'restore-drill.pid',
  host: 'restore-drill.host',
} as const;

/** Leftovers younger than this are never touched (their run may be on another host or still starting). */
export const DEFAULT_LEFTOVER_GRACE_MS = 60_000;

export interface Owner {
  runId: string;
  scenario: string;
  created: Date;
  pid: number;
  host: string;
}

export function labelsFor(owner: Owner): Record<string, string> {
  return {
    [LABEL.run]: owner.runId,
    [LABEL.scenario]: owner.scenario,
    [LABEL.created]: owner.created.toISOString(),
    [LABEL.pid]: String(owner.pid),
    [LABEL.host]: owner.host,
  };
}

export function currentOwner(runId: string, scenario: string, now: Date): Owner {
  return { runId, scenario, created: now, pid: process.pid, host: os.hostname() };
}

export interface LeftoverJudge {
  now: number;
  host: string;
  graceMs: number;
  /** Whether a process of this host is still running. */
  alive(pid: number): boolean;
}

/**
 * Why a labelled thing is a leftover, or undefined when it must be left alone: it is ours only when
 * it was made on this host by a process that is gone, longer ago than the grace period. Things made on
 * other hosts (a shared engine) are never removed: their process cannot be checked from here.
 */
export function leftoverReason(thing: Labelled, judge: LeftoverJudge): string | undefined {
  const labels = thing.labels;
  const pid = Number(labels[LABEL.pid]);
  const created = Date.parse(labels[LABEL.created] ?? '');
  if (labels[LABEL.host] !== judge.host || !Number.isInteger(pid) || pid <= 0 || Number.isNaN(created)) return undefined;
  if (judge.now - created < judge.graceMs || judge.alive(pid)) return undefined;
  const ageMinutes = Math.round((judge.now - created) / 60_000);
  return `process ${pid} that made it is gone (made ${ageMinutes} min ago, scenario ${labels[LABEL.scenario] ?? '?'}, run ${labels[LABEL.run] ?? '?'})`;
}


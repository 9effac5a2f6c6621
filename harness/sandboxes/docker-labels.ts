/**
 * The labels every container and network of a drill carries, and who made a labelled thing, for the
 * one leftover rule (leftovers.ts).
 */
import os from 'node:os';
import type { LeftoverOwner } from './leftovers.ts';

export const LABEL = {
  run: 'restore-drill.run',
  scenario: 'restore-drill.scenario',
  created: 'restore-drill.created',
  pid: 'restore-drill.pid',
  host: 'restore-drill.host',
} as const;

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

/** Who made a labelled container or network; undefined when its labels do not say (then it is never removed). */
export function ownerFromLabels(labels: Record<string, string>): LeftoverOwner | undefined {
  const pid = Number(labels[LABEL.pid]);
  const created = Date.parse(labels[LABEL.created] ?? '');
  if (!Number.isInteger(pid) || Number.isNaN(created)) return undefined;
  return { pid, created, host: labels[LABEL.host], run: labels[LABEL.run], scenario: labels[LABEL.scenario] };
}

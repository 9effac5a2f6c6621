/**
 * Systems that became overdue for a drill (no PASS within their interval), told once: the results
 * folder keeps the names already told (.notify-overdue.json), so a daily `restore-drill report` does
 * not repeat itself; a system that passes again leaves the list and is told anew when it falls
 * overdue again. One whose notification failed is not put on the list, so the next report tries again.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SystemRow } from '../reporters/html/index-page.ts';
import type { OverdueSummary } from './message.ts';
import { notifyAll, type NotifyOptions } from './reporter.ts';

export const OVERDUE_STATE_FILE = '.notify-overdue.json';
const STATE_SCHEMA = 'restore-drill/notify-overdue@1';

export interface OverdueOutcome {
  told: string[];
  failed: string[];
}

/** `index` is the page a message points to (default RESULTS_DIR/index.html). */
export async function notifyOverdue(rows: SystemRow[], resultsDir: string, options: NotifyOptions, index = path.join(resultsDir, 'index.html')): Promise<OverdueOutcome> {
  const stateFile = path.join(resultsDir, OVERDUE_STATE_FILE);
  const before = await readTold(stateFile);
  const overdue = rows.filter((r) => r.overdue);
  const outcome: OverdueOutcome = { told: [], failed: [] };
  for (const row of overdue.filter((r) => !before.has(r.scenario))) {
    const failures = await notifyAll(overdueSummary(row, index), options);
    (failures.length === 0 ? outcome.told : outcome.failed).push(row.scenario);
  }
  const told = overdue.map((r) => r.scenario).filter((name) => before.has(name) || outcome.told.includes(name));
  await writeTold(stateFile, told);
  return outcome;
}

function overdueSummary(row: SystemRow, index: string): OverdueSummary {
  return {
    event: 'overdue',
    scenario: row.scenario,
    system: row.system,
    lastVerdict: row.last.verdict,
    lastDrillAt: row.last.startedAt,
    lastPassAt: row.lastPass?.endedAt,
    intervalMs: row.intervalMs,
    report: index,
  };
}

/** The names already told; none when the file is missing or damaged (then they are told again). */
async function readTold(file: string): Promise<Set<string>> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as { told?: unknown };
    return new Set(Array.isArray(state.told) ? state.told.filter((n): n is string => typeof n === 'string') : []);
  } catch {
    return new Set();
  }
}

async function writeTold(file: string, told: string[]): Promise<void> {
  const partial = `${file}.partial`;
  await writeFile(partial, JSON.stringify({ schema: STATE_SCHEMA, told: [...told].sort() }, null, 2) + '\n');
  await rename(partial, file);
}

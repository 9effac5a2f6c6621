/**
 * What earlier drills found, read back from a results folder's result.json files: the one reader
 * that `report` (the index), `points` (each point's last drill), rotating samples and
 * `evidence points` share.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { errorMessage } from '../errors.ts';
import type { DrillResult, Verdict } from './result.ts';

export interface ReadOptions {
  /** Only this scenario's runs (results/<scenario>/*). */
  scenario?: string;
}

/** Every readable result.json under <resultsDir>/<scenario>/<run-id>/, and the files that could not be read. */
export async function readResults(resultsDir: string, options: ReadOptions = {}): Promise<{ results: DrillResult[]; unreadable: string[] }> {
  const scenarioGlob = options.scenario === undefined ? '*' : fg.escapePath(options.scenario);
  const files = (await fg(`${scenarioGlob}/*/result.json`, { cwd: resultsDir, absolute: true })).sort();
  const results: DrillResult[] = [];
  const unreadable: string[] = [];
  for (const file of files) {
    try {
      const result = JSON.parse(await readFile(file, 'utf8')) as DrillResult;
      if (typeof result.runId !== 'string' || !result.scenario?.name || !result.verdict) throw new Error('not a restore-drill result');
      if (options.scenario !== undefined && result.scenario.name !== options.scenario) continue;
      results.push({ ...result, resultsDir: path.dirname(file) });
    } catch (err) {
      unreadable.push(`${path.relative(resultsDir, file)}: ${errorMessage(err)}`);
    }
  }
  return { results, unreadable };
}

/** Oldest first. */
export function byStart(results: DrillResult[]): DrillResult[] {
  return [...results].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
}

/** A verdict that proved the point: restored, intact and ready (LATE is only over a target). */
export function proves(verdict: Verdict): boolean {
  return verdict === 'PASS' || verdict === 'LATE';
}

/** Each point's runs, oldest first, by point id. */
export function runsByPoint(results: DrillResult[]): Map<string, DrillResult[]> {
  const map = new Map<string, DrillResult[]>();
  for (const result of byStart(results)) {
    const id = result.restorePoint?.id;
    if (id !== undefined) map.set(id, [...(map.get(id) ?? []), result]);
  }
  return map;
}

/** The calendar day of a time in this host's time zone (YYYY-MM-DD), as an operator reads it. */
export function localDay(iso: string): string {
  return new Date(iso).toLocaleDateString('sv-SE');
}

/**
 * Measures the ransomware check on the corpus: clean points (false alarms) and the same share after
 * each simulated attack (misses). Runs the real check on real folders; the "sandbox" is the folder.
 */
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckResult, PointAccess } from '../../harness/checks/check.ts';
import { RansomwareCheck } from '../../harness/checks/ransomware.ts';
import { systemClock } from '../../harness/clock.ts';
import { writeManifest } from '../../harness/manifest/create.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import type { Sandbox } from '../../harness/sandboxes/sandbox.ts';
import { ransomwareCheckSchema } from '../../harness/scenario/schema.ts';
import type { RestorePoint } from '../../harness/sources/source.ts';
import { ATTACKS, attack, type AttackKind } from './attacks.ts';
import { makePgDumps, makePoint, type Corpus } from './corpus.ts';

export interface PointEvaluation {
  id: string;
  attack?: AttackKind;
  caught: boolean;
  files: number;
  /** Files named by any finding. */
  flagged: string[];
  /** For attacked points: files the attack changed (or notes it left) that a finding named. */
  touched?: number;
  touchedFlagged?: number;
  rules: string[];
  /** The smallest offset any content evidence points at. */
  firstEvidenceOffset?: number;
  result: CheckResult;
}

export interface CorpusEvaluation {
  clean: PointEvaluation[];
  attacked: PointEvaluation[];
  skipped: string[];
  realPgDumps: boolean;
  falseAlarmRate: number;
  cleanPointsFlagged: number;
  missRate: number;
  fileDetectionRate: number;
  bytesRead: number;
}

export async function evaluateCorpus(options: { attacks?: AttackKind[] } = {}): Promise<CorpusEvaluation> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'restore-drill-corpus-'));
  const pool = new HashPool({ workers: 2 });
  try {
    const pg = makePgDumps();
    const skipped = new Set<string>();
    const make = (dir: string, variant: number): Corpus => {
      const corpus = makePoint(dir, variant, { pgDumps: pg });
      corpus.skipped.forEach((s) => skipped.add(s));
      return corpus;
    };
    const check = new RansomwareCheck({ spec: ransomwareCheckSchema.parse({}), indicatorFiles: [], filesNamed: 100_000 });
    const manifests = new Map<string, Promise<string>>();
    const manifestOf = (point: RestorePoint): Promise<string> => {
      let found = manifests.get(point.id);
      if (!found) {
        found = (async () => {
          const file = path.join(base, `${point.id}.sha256`);
          const out = createWriteStream(file);
          await writeManifest(point.location, out, pool);
          out.end();
          await finished(out);
          return file;
        })();
        manifests.set(point.id, found);
      }
      return found;
    };
    const point = (id: string, day: number): RestorePoint => ({ id, time: new Date(Date.UTC(2026, 10, day)), location: path.join(base, id) });
    const run = async (current: RestorePoint, previous: RestorePoint | undefined): Promise<CheckResult> => {
      const access: PointAccess = { current, previous, manifestOf: (p) => manifestOf(p) };
      return check.run({
        sandbox: { hostRestoreDir: current.location } as unknown as Sandbox,
        pool,
        clock: systemClock,
        signal: new AbortController().signal,
        onProgress: () => undefined,
        points: access,
      });
    };

    const clean: PointEvaluation[] = [];
    const cleanPoints = [point('p0', 20), point('p1', 21), point('p2', 22)];
    for (const [i, p] of cleanPoints.entries()) {
      const corpus = make(p.location, i);
      const result = await run(p, cleanPoints[i - 1]);
      clean.push(evaluation(p.id, undefined, corpus.files.length, result));
    }
    const attacked: PointEvaluation[] = [];
    const template = path.join(base, 'p3-template');
    const corpus3 = make(template, 3);
    for (const kind of options.attacks ?? ATTACKS) {
      const p = point(`p3-${kind}`, 23);
      cpSync(template, p.location, { recursive: true });
      const outcome = attack(p.location, kind);
      const result = await run(p, cleanPoints[2]);
      const e = evaluation(p.id, kind, corpus3.files.length + outcome.notes.length, result);
      const touched = [...outcome.touched, ...outcome.notes];
      const flagged = new Set(e.flagged);
      e.touched = touched.length;
      e.touchedFlagged = touched.filter((t) => flagged.has(t)).length;
      attacked.push(e);
    }
    const cleanFiles = clean.reduce((n, e) => n + e.files, 0);
    const cleanFlagged = clean.reduce((n, e) => n + e.flagged.length, 0);
    const touched = attacked.reduce((n, e) => n + (e.touched ?? 0), 0);
    const touchedFlagged = attacked.reduce((n, e) => n + (e.touchedFlagged ?? 0), 0);
    const bytesRead = [...clean, ...attacked].reduce((n, e) => n + ((e.result.kind === 'ransomware' ? (e.result.details?.read.bytesRead ?? 0) : 0)), 0);
    return {
      clean,
      attacked,
      skipped: [...skipped],
      realPgDumps: pg !== undefined,
      falseAlarmRate: cleanFiles === 0 ? 0 : cleanFlagged / cleanFiles,
      cleanPointsFlagged: clean.filter((e) => e.caught).length,
      missRate: attacked.length === 0 ? 0 : attacked.filter((e) => !e.caught).length / attacked.length,
      fileDetectionRate: touched === 0 ? 1 : touchedFlagged / touched,
      bytesRead,
    };
  } finally {
    await pool.close();
    rmSync(base, { recursive: true, force: true });
  }
}

function evaluation(id: string, kind: AttackKind | undefined, files: number, result: CheckResult): PointEvaluation {
  const flagged = new Set<string>();
  let firstOffset: number | undefined;
  for (const finding of result.findings) {
    const evidence = (finding.actual as { files?: { path: string; offset?: number }[] } | undefined)?.files ?? [];
    if (finding.rule === 'change-burst') continue;
    for (const e of evidence) {
      flagged.add(e.path);
      if (typeof e.offset === 'number') firstOffset = Math.min(firstOffset ?? Infinity, e.offset);
    }
  }
  return { id, attack: kind, caught: result.status === 'fail', files, flagged: [...flagged], rules: [...new Set(result.findings.map((f) => f.rule))], firstEvidenceOffset: firstOffset, result };
}

/** The table the bench prints and the corpus test logs. */
export function formatEvaluation(e: CorpusEvaluation): string {
  const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
  const lines = [
    'ransomware indicators on the corpus',
    `  clean points: ${e.clean.length}, files ${e.clean.reduce((n, p) => n + p.files, 0)}; flagged files ${e.clean.reduce((n, p) => n + p.flagged.length, 0)}; clean points flagged ${e.cleanPointsFlagged}`,
    ...e.clean.filter((p) => p.caught).map((p) => `    FALSE ALARM ${p.id}: ${p.result.summary}`),
    `  attacked points: ${e.attacked.length}; caught ${e.attacked.filter((p) => p.caught).length}`,
    ...e.attacked.map((p) => `    ${p.caught ? 'caught' : 'MISSED'}  ${p.attack!.padEnd(22)} rules ${p.rules.join(', ') || '-'}; files named ${p.touchedFlagged}/${p.touched}${p.firstEvidenceOffset !== undefined ? `; first evidence at byte ${p.firstEvidenceOffset}` : ''}`),
    `  false-alarm rate (clean files flagged): ${pct(e.falseAlarmRate)}`,
    `  miss rate (attacked points not caught): ${pct(e.missRate)}`,
    `  attacked files named by a finding: ${pct(e.fileDetectionRate)} (files of unknown type are judged by name and change only)`,
    `  bytes read by the sampler: ${e.bytesRead}`,
    `  PostgreSQL dumps: ${e.realPgDumps ? 'real pg_dump output (custom and plain)' : 'plain dump written by code (no PostgreSQL server here)'}`,
    ...(e.skipped.length > 0 ? [`  formats left out: ${e.skipped.join('; ')}`] : []),
  ];
  return lines.join('\n');
}

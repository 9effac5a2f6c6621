/**
 * ransomware: is this restore point clean? Names against known ransomware extensions and ransom
 * notes, content against type (headers, text, entropy) on a bounded sample, and change against the
 * previous point. Triage, not an antivirus: a finding is a reason to look, a pass is not a proof.
 */
import { folderInside } from '../manifest/safe-open.ts';
import { compareManifests, type ChangeSummary } from '../ransomware/change.ts';
import { FindingGroups } from '../ransomware/findings.ts';
import { loadIndicators } from '../ransomware/indicators.ts';
import { DEFAULT_SCAN_SETTINGS, scanTree, type ScanSettings, type ScanStats } from '../ransomware/scan.ts';
import type { RansomwareCheckSpec } from '../scenario/schema.ts';
import { formatBytes } from '../units.ts';
import { checkResult, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';

export interface RansomwareCheckOptions {
  spec: RansomwareCheckSpec;
  /** Extra indicators files, resolved against the scenario's folder. */
  indicatorFiles: string[];
  /** Files named per finding (default 10; the count is always complete). */
  filesNamed?: number;
}

export class RansomwareCheck implements Check<'ransomware'> {
  readonly kind = 'ransomware';
  readonly phase = 'verify';
  readonly name = 'ransomware indicators';
  private readonly spec: RansomwareCheckSpec;
  private readonly indicatorFiles: string[];
  private readonly filesNamed: number | undefined;

  constructor(options: RansomwareCheckOptions) {
    this.spec = options.spec;
    this.indicatorFiles = options.indicatorFiles;
    this.filesNamed = options.filesNamed;
  }

  get settings(): ScanSettings {
    return {
      blockSize: this.spec.sample.block_size,
      blocksPerFile: this.spec.sample.blocks_per_file,
      maxFilesPerType: this.spec.sample.max_files_per_type,
      entropyThreshold: this.spec.entropy_threshold,
      maxControlShare: DEFAULT_SCAN_SETTINGS.maxControlShare,
    };
  }

  async run(context: CheckContext): Promise<CheckResultOf<'ransomware'>> {
    const started = context.clock.monotonic();
    const indicators = await loadIndicators(this.indicatorFiles);
    const groups = new FindingGroups(this.filesNamed);
    const root = await folderInside(context.sandbox.hostRestoreDir, this.spec.path, 'expect.ransomware.path');
    const stats = await scanTree({ root, settings: this.settings, indicators, groups, signal: context.signal, onProgress: context.onProgress });
    const findings = groups.toFindings();
    const change = await this.change(context, root);
    if (change.finding) findings.push(change.finding);
    return checkResult(this, context.clock, {
      findings,
      passed: `no indicator fired: ${describeRead(stats)}${change.note ? `; ${change.note}` : ''}`,
      failed: findings.length > 0 ? failureSummary(findings) : undefined,
      startedAt: started,
      details: {
        read: stats,
        settings: this.settings,
        change: change.summary,
        changeNote: change.note,
        indicators: indicators.files,
        point: context.points?.current.id,
        previousPoint: context.points?.previous?.id,
      },
    });
  }

  private async change(context: CheckContext, root: string): Promise<{ finding?: Finding; summary?: ChangeSummary; note?: string }> {
    const settings = this.spec.change;
    if (settings === false) return { note: 'change between points not judged (change: false)' };
    const points = context.points;
    if (!points) return { note: 'change between points not judged (no restore point history here)' };
    if (!points.previous) return { note: `change between points not judged: ${points.current.id} is the oldest point` };
    const current = await points.manifestOf(points.current, root);
    const previous = await points.manifestOf(points.previous);
    const summary = await compareManifests(previous, current, context.signal);
    const changed = summary.added + summary.removed + summary.modified + summary.renamed;
    const limit = settings.usual_rate * settings.burst_factor;
    const note = `${pct(summary.rate)} of ${summary.previousFiles} files changed since ${points.previous.id} (burst above ${pct(limit)})`;
    if (summary.rate <= limit || changed < settings.min_changed_files) return { summary, note };
    const parts = (['modified', 'renamed', 'added', 'removed'] as const).filter((k) => summary[k] > 0).map((k) => `${summary[k]} ${k}`);
    const named = [...summary.samples.modified, ...summary.samples.renamed, ...summary.samples.added, ...summary.samples.removed].slice(0, 10);
    return {
      summary,
      note,
      finding: {
        rule: 'change-burst',
        subject: `${points.previous.id} -> ${points.current.id}`,
        message: `${changed} changes against the ${summary.previousFiles} files of ${points.previous.id} (${pct(summary.rate)}: ${parts.join(', ')}), above ${pct(limit)} (${settings.burst_factor} × the usual ${pct(settings.usual_rate)}): ${named.join(', ')}${changed > named.length ? ` and ${changed - named.length} more` : ''}`,
        expected: { maxRate: limit, usualRate: settings.usual_rate, burstFactor: settings.burst_factor },
        actual: { count: changed, ...summary },
      },
    };
  }
}

/** One line: each rule that fired, with how many files (or how much change). */
function failureSummary(findings: Finding[]): string {
  const byRule = new Map<string, number>();
  let burst = '';
  for (const f of findings) {
    if (f.rule === 'change-burst') burst = `change-burst (${pct((f.actual as { rate: number }).rate)} changed)`;
    else byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + ((f.actual as { count?: number } | undefined)?.count ?? 1));
  }
  const parts = [...byRule].map(([rule, n]) => `${rule} (${n} file${n === 1 ? '' : 's'})`);
  if (burst) parts.push(burst);
  const first = findings.find((f) => f.rule !== 'change-burst') ?? findings[0]!;
  return `${findings.length} indicator${findings.length === 1 ? '' : 's'} fired: ${parts.join(', ')}. First: ${first.message.length > 300 ? `${first.message.slice(0, 300)}...` : first.message}`;
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

export function describeRead(stats: ScanStats): string {
  const unknown = stats.unknownType > 0 ? `, ${stats.unknownType} of unknown type judged by name only` : '';
  return `${stats.filesSeen} files named, ${stats.filesSampled} sampled (${formatBytes(stats.bytesRead)} read)${unknown}`;
}

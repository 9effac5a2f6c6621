/**
 * npm run bench:ransomware — false alarms and misses of the ransomware indicators.
 *  1. A corpus made by code: clean points, then the same share after each simulated attack. Exits 1
 *     on any false alarm or missed attack, so it can gate CI as well as inform.
 *  2. Real files of this host (default /usr/share; --host DIR, repeatable; --no-host to skip): every
 *     file is clean, so every finding is a false alarm. Printed with the files it names, for reading;
 *     it does not set the exit code (what a host holds differs from machine to machine).
 */
import { access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FindingGroups } from '../harness/ransomware/findings.ts';
import { loadIndicators } from '../harness/ransomware/indicators.ts';
import { DEFAULT_SCAN_SETTINGS, scanTree } from '../harness/ransomware/scan.ts';
import { evaluateCorpus, formatEvaluation } from '../test/helpers/corpus-eval.ts';

const { values } = parseArgs({ options: { host: { type: 'string', multiple: true, default: ['/usr/share'] }, 'no-host': { type: 'boolean', default: false } } });

const evaluation = await evaluateCorpus();
process.stdout.write(formatEvaluation(evaluation) + '\n');
process.exitCode = evaluation.falseAlarmRate === 0 && evaluation.cleanPointsFlagged === 0 && evaluation.missRate === 0 ? 0 : 1;

if (!values['no-host']) {
  const indicators = await loadIndicators();
  process.stdout.write('\nreal files of this host (all clean: every finding is a false alarm)\n');
  for (const root of values.host ?? []) {
    if (!(await access(root).then(() => true, () => false))) {
      process.stdout.write(`  ${root}: not here, skipped\n`);
      continue;
    }
    const groups = new FindingGroups(5);
    // Every file of a known type is sampled here, not just 2000 per type.
    const stats = await scanTree({ root, settings: { ...DEFAULT_SCAN_SETTINGS, maxFilesPerType: 1_000_000 }, indicators, groups });
    const flagged = groups.fileCount;
    const rate = stats.filesSampled === 0 ? 0 : flagged / stats.filesSampled;
    process.stdout.write(`  ${root}: ${stats.filesSeen} files, ${stats.filesSampled} judged by content (${stats.unknownType} of unknown type by name only); flagged ${flagged} (${(rate * 100).toFixed(3)}%)\n`);
    for (const g of groups.list()) process.stdout.write(`    [${g.rule}] ${g.group} ×${g.count}: ${g.files.map((f) => f.path).join(', ')}\n`);
  }
}

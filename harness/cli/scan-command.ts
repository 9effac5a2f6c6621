/** The work of scan and find-clean (registered in commands/scan.ts), loaded when one of them runs. */
import path from 'node:path';
import type { CheckResult } from '../checks/check.ts';
import { ransomwareCheckFor } from '../checks/ransomware-factory.ts';
import { systemClock } from '../clock.ts';
import { newRunId } from '../drill/run-id.ts';
import { EXIT } from '../drill/verdict.ts';
import { UsageError } from '../errors.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { PointManifests } from '../ransomware/point-manifests.ts';
import { findNewestClean, scanPoint, type PointScan, type ScanPointOptions } from '../ransomware/scan-point.ts';
import { loadScenario, type Scenario } from '../scenario/load.ts';
import { chooseDriver } from '../sandboxes/index.ts';
import { redactingDriver, redactorFor } from '../secrets/run-redactor.ts';
import { createSource, parsePointSelector, selectPoint, sourceWhere } from '../sources/index.ts';
import { formatBytes } from '../units.ts';
import type { FindCleanFlags, ScanFlags } from './commands/scan.ts';
import { onInterrupt } from './interrupt.ts';
import { runCommand } from './run-command.ts';

export async function scanCommand(file: string, flags: ScanFlags): Promise<number> {
  return withScanContext(file, flags, async (context, scenario) => {
    const selector = parsePointSelector(flags.point);
    if (selector === 'newest-clean') throw new UsageError('scan takes a point id or latest; use find-clean to look for the newest clean point');
    const point = selectPoint(context.points, selector, sourceWhere(scenario));
    const scan = await scanPoint(point, context);
    if (flags.json) process.stdout.write(JSON.stringify({ scenario: scenario.spec.name, point: pointJson(scan), result: scan.result }, null, 2) + '\n');
    else process.stdout.write(formatScan(scan));
    return scan.result.status === 'pass' ? EXIT.PASS : scan.result.status === 'fail' ? EXIT.FAIL : EXIT.ERROR;
  });
}

export async function findCleanCommand(file: string, flags: FindCleanFlags): Promise<number> {
  let cleanId: string | undefined;
  const out = flags.drill ? process.stderr : process.stdout;
  const code = await withScanContext(file, flags, async (context, scenario) => {
    const search = await findNewestClean(context, (scan) => {
      if (!flags.json || flags.drill) out.write(formatScan(scan, true));
    });
    cleanId = search.clean?.point.id;
    if (flags.json && !flags.drill) {
      out.write(JSON.stringify({ scenario: scenario.spec.name, clean: search.clean && pointJson(search.clean), ruledOut: search.ruledOut.map((s) => ({ ...pointJson(s), findings: s.result.findings })) }, null, 2) + '\n');
    } else if (search.clean) {
      out.write(`\nnewest clean point: ${search.clean.point.id} (${search.clean.point.time.toISOString()})${search.ruledOut.length > 0 ? `; ${search.ruledOut.length} newer point${search.ruledOut.length === 1 ? '' : 's'} ruled out` : ''}\n`);
    } else {
      out.write(`\nno clean point: all ${context.points.length} fired ransomware indicators\n`);
    }
    return search.clean ? EXIT.PASS : EXIT.FAIL;
  });
  if (code !== EXIT.PASS || !flags.drill || !cleanId) return code;
  const outcome = await runCommand([file], { sandbox: flags.sandbox, results: flags.results, point: cleanId, parallel: '1', json: flags.json });
  return outcome.exitCode;
}

type Body = (context: ScanPointOptions, scenario: Scenario) => Promise<number>;

async function withScanContext(file: string, flags: { sandbox: string; results: string; json?: boolean }, body: Body): Promise<number> {
  const scenario = await loadScenario(file);
  const source = createSource(scenario);
  const redactor = await redactorFor([scenario]);
  const chosen = await chooseDriver(flags.sandbox);
  const driver = redactingDriver(chosen.driver, redactor);
  if (chosen.note && !flags.json) process.stderr.write(`restore-drill: ${chosen.note}\n`);
  const interrupt = onInterrupt();
  const pool = new HashPool();
  const runId = newRunId(new Date());
  const logDir = path.resolve(flags.results, scenario.spec.name, `${runId}-scan`, 'logs');
  const manifests = new PointManifests({
    source,
    driver,
    sandboxSpec: scenario.spec.sandbox,
    scenario: scenario.spec.name,
    runId,
    logDir,
    pool,
    signal: interrupt.signal,
    subPath: scenario.spec.expect.ransomware?.path,
  });
  try {
    await chosen.driver.removeLeftovers();
    const points = await source.points(interrupt.signal);
    const context: ScanPointOptions = {
      source,
      points,
      check: ransomwareCheckFor(scenario),
      driver,
      sandboxSpec: scenario.spec.sandbox,
      scenario: scenario.spec.name,
      runId,
      logDir,
      pool,
      clock: systemClock,
      signal: interrupt.signal,
      manifests,
    };
    const code = await body(context, scenario);
    return interrupt.exitCode() ?? code;
  } catch (err) {
    throw redactor.error(err);
  } finally {
    await manifests.dispose();
    await pool.close();
    interrupt.dispose();
  }
}

function pointJson(scan: PointScan) {
  return { id: scan.point.id, time: scan.point.time.toISOString(), location: scan.point.location, status: scan.result.status, summary: scan.result.summary, restored: scan.restored };
}

export function formatScan(scan: PointScan, brief = false): string {
  const r: CheckResult = scan.result;
  const head = `${scan.point.id}  ${scan.point.time.toISOString()}  ${r.status === 'pass' ? 'CLEAN' : r.status === 'fail' ? (brief ? 'RULED OUT' : 'FAIL') : 'ERROR'}`;
  const lines = [head];
  for (const f of r.findings) {
    lines.push(`  [${f.rule}] ${f.message}`);
    if (brief) continue;
    const files = (f.actual as { files?: Record<string, unknown>[] } | undefined)?.files ?? [];
    for (const e of files.slice(0, 3)) {
      if (!('path' in e)) continue;
      const bits = [
        e.expected !== undefined ? `expected ${String(e.expected)}` : '',
        e.actualHex !== undefined ? `found ${String(e.actualHex)}${e.offset !== undefined ? ` at offset ${String(e.offset)}` : ''}` : '',
        e.entropy !== undefined ? `entropy ${String(e.entropy)} bits/byte` : '',
        e.indicator !== undefined ? `matches ${String(e.indicator)}` : '',
      ].filter(Boolean);
      lines.push(`      ${String(e.path)}: ${bits.join(', ')}`);
    }
  }
  const read = (r.details as { read?: { filesSeen: number; filesSampled: number; bytesRead: number } } | undefined)?.read;
  if (read && !brief) lines.push(`  read: ${read.filesSeen} files named, ${read.filesSampled} sampled, ${formatBytes(read.bytesRead)} read; restored ${scan.restored.files} files (${formatBytes(scan.restored.bytes)})`);
  const note = (r.details as { changeNote?: string } | undefined)?.changeNote;
  if (note && !brief) lines.push(`  change: ${note}`);
  return lines.join('\n') + '\n';
}

/** The work of scan and find-clean (registered in commands/scan.ts), loaded when one of them runs. */
import path from 'node:path';
import type { CheckResult } from '../checks/check.ts';
import { ransomwareCheckFor } from '../checks/ransomware-factory.ts';
import { systemClock } from '../clock.ts';
import { PointManifests } from '../drill/point-manifests.ts';
import { pointWork } from '../drill/restore-point.ts';
import { newRunId } from '../drill/run-id.ts';
import { findNewestClean, scanPoint, type PointScan, type ScanOptions } from '../drill/scan-point.ts';
import { EXIT } from '../drill/verdict.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { loadScenario, type Scenario } from '../scenario/load.ts';
import { chooseDriver } from '../sandboxes/index.ts';
import type { SandboxChoice } from '../sandboxes/choices.ts';
import { redactingDriver, redactorFor } from '../secrets/run-redactor.ts';
import { createSource, selectPoint, sourceWhere } from '../sources/index.ts';
import type { DirectSelector } from '../sources/source.ts';
import { formatLocalTime } from '../reporters/local-time.ts';
import { formatBytes } from '../units.ts';
import { onInterrupt } from './interrupt.ts';
import { checkResultsRoot } from './results-root.ts';
import { runCommand } from './run-command.ts';

/** What scan and find-clean are asked to do, already parsed (commands/scan.ts). */
export interface ScanRequest {
  scenario: string;
  sandbox: SandboxChoice;
  results: string;
  json?: boolean;
}

export async function scanCommand(request: ScanRequest & { point: DirectSelector }): Promise<number> {
  return withScanContext(request, async (context, scenario, redact) => {
    const point = selectPoint(context.points, request.point, sourceWhere(scenario));
    const scan = await scanPoint(point, context);
    if (request.json) process.stdout.write(redact(JSON.stringify({ scenario: scenario.spec.name, point: pointJson(scan), result: scan.result }, null, 2) + '\n'));
    else process.stdout.write(redact(formatScan(scan)));
    return scan.result.status === 'pass' ? EXIT.PASS : scan.result.status === 'fail' ? EXIT.FAIL : EXIT.ERROR;
  });
}

export async function findCleanCommand(request: ScanRequest & { drill?: boolean }): Promise<number> {
  let cleanId: string | undefined;
  const stream = request.drill ? process.stderr : process.stdout;
  const code = await withScanContext(request, async (context, scenario, redact) => {
    const out = { write: (text: string) => stream.write(redact(text)) };
    const search = await findNewestClean(context, (scan) => {
      if (!request.json || request.drill) out.write(formatScan(scan, true));
    });
    cleanId = search.clean?.point.id;
    if (request.json && !request.drill) {
      out.write(JSON.stringify({ scenario: scenario.spec.name, clean: search.clean && pointJson(search.clean), ruledOut: search.ruledOut.map((s) => ({ ...pointJson(s), findings: s.result.findings })) }, null, 2) + '\n');
    } else if (search.clean) {
      out.write(`\nnewest clean point: ${search.clean.point.id} (${formatLocalTime(search.clean.point.time)})${search.ruledOut.length > 0 ? `; ${search.ruledOut.length} newer point${search.ruledOut.length === 1 ? '' : 's'} ruled out` : ''}\n`);
    } else {
      out.write(`\nno clean point: all ${context.points.length} fired ransomware indicators\n`);
    }
    return search.clean ? EXIT.PASS : EXIT.FAIL;
  });
  if (code !== EXIT.PASS || !request.drill || !cleanId) return code;
  const outcome = await runCommand({ scenarios: [request.scenario], sandbox: request.sandbox, results: request.results, point: { id: cleanId }, parallel: 1, json: request.json });
  return outcome.exitCode;
}

/** The body of a scan: `redact` blots out the scenario's secrets from anything it prints. */
type Body = (context: ScanOptions, scenario: Scenario, redact: (text: string) => string) => Promise<number>;

async function withScanContext(request: ScanRequest, body: Body): Promise<number> {
  const resultsRoot = await checkResultsRoot(request.results);
  const scenario = await loadScenario(request.scenario);
  const source = createSource(scenario);
  const redactor = await redactorFor([scenario]);
  const chosen = await chooseDriver(request.sandbox, { machines: scenario.spec.sandbox.kind === 'vm' });
  if (chosen.note && !request.json) process.stderr.write(`restore-drill: ${chosen.note}\n`);
  const interrupt = onInterrupt();
  const pool = new HashPool();
  const runId = newRunId(new Date());
  const logDir = path.join(resultsRoot, scenario.spec.name, `${runId}-scan`, 'logs');
  const driver = redactingDriver(chosen.driver, redactor);
  const work = pointWork(scenario, source, { driver, pool, clock: systemClock, signal: interrupt.signal, runId, logDir });
  const manifests = new PointManifests(work, scenario.spec.expect.ransomware?.path);
  try {
    await chosen.driver.removeLeftovers();
    const points = await source.points(interrupt.signal);
    const code = await body({ work, points, check: ransomwareCheckFor(scenario), manifests }, scenario, (text) => redactor.text(text));
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
  const head = `${scan.point.id}  ${formatLocalTime(scan.point.time)}  ${r.status === 'pass' ? 'CLEAN' : r.status === 'fail' ? (brief ? 'RULED OUT' : 'FAIL') : 'ERROR'}`;
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
  const details = r.kind === 'ransomware' ? r.details : undefined;
  const read = details?.read;
  if (read && !brief) lines.push(`  read: ${read.filesSeen} files named, ${read.filesSampled} sampled, ${formatBytes(read.bytesRead)} read; restored ${scan.restored.files} files (${formatBytes(scan.restored.bytes)})`);
  const note = details?.changeNote;
  if (note && !brief) lines.push(`  change: ${note}`);
  return lines.join('\n') + '\n';
}

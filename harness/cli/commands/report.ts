import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import type { NotifyTarget } from '../../notify/target.ts';
import type { SystemRow } from '../../reporters/html/index-page.ts';

/** Overdue after this long without a PASS, for scenarios without targets.drill_interval. */
export const DEFAULT_INTERVAL = '31d';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write RESULTS_DIR/index.html: every system\'s last drill, verdict, last PASS, days since, RTO over time, and systems overdue for a drill')
    .argument('[results]', 'the results folder', 'results')
    .option('--lang <lang>', 'ja or en (default: from the locale, LC_ALL / LANG)')
    .option('--interval <duration>', `drill interval for scenarios without targets.drill_interval: overdue when the last PASS is older (default ${DEFAULT_INTERVAL})`)
    .option('-o, --output <file>', 'where to write the page (default: RESULTS_DIR/index.html)')
    .option('--at <time>', 'judge overdue as of this time (e.g. 2026-12-31T00:00:00+09:00, for an audit date) instead of now')
    .option('--notify <url>', 'tell this webhook of each system that became overdue since the last report (repeatable; shapes as for run --notify; also RESTORE_DRILL_NOTIFY and the config file\'s "notify" list; not with --at)', (url: string, urls: string[] = []) => [...urls, url])
    .option('--key <file>', "verify each system's evidence with this public key (default: the configured key pair's, if any); repeat for several keys", (file: string, files: string[] = []) => [...files, file])
    .action(async (results: string, flags: { lang?: string; interval?: string; output?: string; key?: string[]; at?: string; notify?: string[] }) => {
      const [{ chooseLang }, { parseDuration }, { parseNotifyTarget }] = await Promise.all([import('../../reporters/html/lang.ts'), import('../../units.ts'), import('../../notify/target.ts')]);
      const interval = parseDuration(flags.interval ?? DEFAULT_INTERVAL);
      if (interval === undefined || interval <= 0) throw new UsageError(`--interval must be a duration like 31d or 12h, got '${flags.interval}'`);
      const now = flags.at === undefined ? new Date() : new Date(flags.at);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--at must be a time like 2026-12-31T00:00:00+09:00, got '${flags.at}'`);
      const given = (flags.notify ?? []).map((url) => parseNotifyTarget(url, '--notify'));
      const dir = path.resolve(results);
      if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UsageError(`${results} is not a folder of results (restore-drill run --results writes one)`);
      const { renderIndex } = await import('../../reporters/html/index-page.ts');
      const evidence = await verifiedEvidence(dir, flags.key ?? []);
      const output = path.resolve(flags.output ?? path.join(dir, 'index.html'));
      const { page, rows, unreadable } = await renderIndex(dir, { lang: chooseLang(flags.lang), now, defaultIntervalMs: interval, pageDir: path.dirname(output), evidence });
      await writeFile(output, page);
      const overdue = rows.filter((r) => r.overdue).map((r) => r.scenario);
      process.stdout.write(`${path.relative(process.cwd(), output) || output}: ${rows.length} system${rows.length === 1 ? '' : 's'}${overdue.length ? `, overdue: ${overdue.join(', ')}` : ''}\n`);
      if (flags.at === undefined) await tellOverdue(rows, dir, output, given);
      for (const u of unreadable) process.stderr.write(`restore-drill: left out ${u}\n`);
      const broken = [...(evidence?.entries() ?? [])].filter(([, e]) => e.state === 'failed').map(([name]) => name);
      if (broken.length > 0) process.stdout.write(`evidence FAILED verification: ${broken.join(', ')} (restore-drill evidence verify ${path.relative(process.cwd(), dir) || dir} names each problem)\n`);
    });
}

/** Systems that became overdue, to the webhooks (--notify, RESTORE_DRILL_NOTIFY, the config file); none configured, nothing is sent. */
async function tellOverdue(rows: SystemRow[], dir: string, index: string, given: NotifyTarget[]): Promise<void> {
  const [{ notifyTargets }, { notifyOverdue }, { Redactor }] = await Promise.all([import('../../notify/config.ts'), import('../../notify/overdue.ts'), import('../../secrets/redactor.ts')]);
  const targets = await notifyTargets(given);
  if (targets.length === 0) return;
  const { told } = await notifyOverdue(rows, dir, { targets, redactor: new Redactor() }, index);
  const webhooks = `${targets.length} webhook${targets.length === 1 ? '' : 's'}`;
  if (told.length > 0) process.stdout.write(`told ${webhooks} that ${told.join(', ')} became overdue\n`);
}

/** Each scenario's evidence, verified with the given or configured public key; undefined without a key. */
async function verifiedEvidence(dir: string, keyFiles: string[]) {
  const [{ trustedKeys }, { verifyPaths, summarizeByScenario }] = await Promise.all([import('../../evidence/keys.ts'), import('../../evidence/verify.ts')]);
  let keys;
  try {
    keys = (await trustedKeys(keyFiles)).keys;
  } catch (err) {
    if (keyFiles.length === 0 && err instanceof UsageError) return undefined;
    throw err;
  }
  return summarizeByScenario(await verifyPaths([dir], keys));
}

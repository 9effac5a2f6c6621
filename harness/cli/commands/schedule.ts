import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';

/** This installation's CLI entry, run by the units with the node that runs this one. */
const CLI_ENTRY = path.resolve(fileURLToPath(new URL(`../main${path.extname(import.meta.url)}`, import.meta.url)));
const SYSTEMD_DIR = '/etc/systemd/system';

interface ScheduleFlags {
  cron?: boolean;
  install?: boolean;
  dir?: string;
  user?: string;
  results: string;
  sandbox?: string;
  notify?: string[];
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description("write what the host's scheduler needs to drill each scenario at its targets.drill_interval: systemd .service and .timer units (printed, or put in place with --install), or crontab lines with --cron")
    .argument('[scenarios...]', 'scenario files, folders or glob patterns (default: scenarios/)')
    .option('--cron', 'crontab lines instead of systemd units (with --user: the /etc/cron.d format)')
    .option('--install', `write the units into --dir (default ${SYSTEMD_DIR}); systemctl is never run, the command to enable the timers is printed`)
    .option('--dir <dir>', `folder the units are installed into (default ${SYSTEMD_DIR})`)
    .option('--user <name>', 'the user the drills run as (a dedicated user that may read the backups and write the results)')
    .option('--results <dir>', 'results folder of the scheduled drills (made absolute)', 'results')
    .option('--sandbox <driver>', 'the --sandbox of the scheduled drills (default: auto)')
    .option('--notify <url>', 'also check daily for systems overdue for a drill (restore-drill report), telling the webhooks; the URLs are not written into the units, which every user can read: this says where they go (repeatable)', (url: string, urls: string[] = []) => [...urls, url])
    .action(async (args: string[], flags: ScheduleFlags) => {
      if (flags.cron && (flags.install || flags.dir)) throw new UsageError('--install and --dir are for systemd units; with --cron, add the printed lines to a crontab (or a file in /etc/cron.d when --user is given)');
      if (flags.user !== undefined && !/^[a-z_][a-z0-9_-]*\$?$/i.test(flags.user)) throw new UsageError(`--user ${flags.user}: expected a user name like restore-drill`);
      const { parseNotifyTarget } = await import('../../notify/target.ts');
      const { findScenarioFiles, loadScenarios } = await import('../scenario-files.ts');
      const { crontabLines, systemdUnits } = await import('../../schedule/units.ts');
      const { notifyAdvice, overdueCronLines, overdueUnits } = await import('../../schedule/overdue-units.ts');
      for (const url of flags.notify ?? []) parseNotifyTarget(url, '--notify');
      const overdue = (flags.notify ?? []).length > 0;
      const scenarios = await loadScenarios(await findScenarioFiles(args), { references: false });
      const request = { scenarios, node: process.execPath, cli: CLI_ENTRY, results: path.resolve(flags.results), user: flags.user, sandbox: flags.sandbox };
      if (flags.cron) {
        process.stdout.write(crontabLines(request) + (overdue ? overdueCronLines(request) : ''));
        if (overdue) process.stderr.write(notifyAdvice(true));
        return;
      }
      const units = [...systemdUnits(request), ...(overdue ? overdueUnits(request) : [])];
      if (overdue) process.stderr.write(notifyAdvice(false));
      if (!flags.install && !flags.dir) {
        for (const unit of units) process.stdout.write(`# ${unit.name}\n${unit.text}\n`);
        return;
      }
      const { installUnits } = await import('../../schedule/install.ts');
      const dir = path.resolve(flags.dir ?? SYSTEMD_DIR);
      for (const file of await installUnits(units, dir)) process.stdout.write(`wrote ${file}\n`);
      const timers = units.filter((u) => u.name.endsWith('.timer')).map((u) => u.name);
      process.stdout.write(`To start the calendar: systemctl daemon-reload && systemctl enable --now ${timers.join(' ')}\n`);
    });
}

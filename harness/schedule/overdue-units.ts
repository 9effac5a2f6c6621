/**
 * The daily check for systems overdue for a drill (schedule --notify): `restore-drill report RESULTS`
 * once a day, which tells the webhooks of each system that became overdue. The webhook URLs are never
 * written here: unit files and /etc/cron.d are readable by every user of the host, and the URL is
 * the webhook's password. The units read them from RESTORE_DRILL_NOTIFY in the 0600 EnvironmentFile.
 */
import { ENV_FILE, serviceAndTimer, shellQuote, systemdQuote, type ScheduleRequest, type UnitFile } from './units.ts';

export const OVERDUE_UNIT = 'restore-drill-overdue';
/** After the night's drills (02:00 plus at most an hour's delay), before the working day. */
const DAILY_AT = { hour: 7, minute: 0 };

function reportArgs(request: ScheduleRequest): string[] {
  return [request.node, request.cli, 'report', request.results];
}

export function overdueUnits(request: ScheduleRequest): UnitFile[] {
  const service = [
    '[Unit]',
    'Description=restore-drill: tell the webhooks of systems overdue for a restore drill',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    ...(request.user ? [`User=${request.user}`] : []),
    `EnvironmentFile=-${ENV_FILE}`,
    `ExecStart=${reportArgs(request).map(systemdQuote).join(' ')}`,
    'Nice=10',
    '',
  ].join('\n');
  return serviceAndTimer(OVERDUE_UNIT, service, {
    description: 'restore-drill: check daily for systems overdue for a restore drill',
    onCalendar: `*-*-* ${pad(DAILY_AT.hour)}:${pad(DAILY_AT.minute)}:00`,
  });
}

export function overdueCronLines(request: ScheduleRequest): string {
  const command = reportArgs(request).map(shellQuote).join(' ').replace(/%/g, '\\%');
  return `# systems overdue for a drill, told to the webhooks of the config file's "notify" list: daily\n${[DAILY_AT.minute, DAILY_AT.hour, '*', '*', '*', ...(request.user ? [request.user] : []), command].join(' ')}\n`;
}

/** Where the webhooks go instead, said on stderr. */
export function notifyAdvice(cron: boolean): string {
  if (cron) return 'restore-drill: the crontab lines do not hold the webhooks (/etc/cron.d is readable by every user): put them in the "notify" list of the config file of the user the drills run as (RESTORE_DRILL_CONFIG, else ~/.config/restore-drill/config.json, mode 0600)\n';
  return `restore-drill: the units do not hold the webhooks (every user of this host can read them): put the line RESTORE_DRILL_NOTIFY=<the --notify URLs, separated by spaces> in ${ENV_FILE} (mode 0600), which the drills and the daily overdue check read; or the "notify" list of the config file of the user they run as\n`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

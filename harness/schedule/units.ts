/**
 * What the host's scheduler needs to drill each scenario at its targets.drill_interval: a systemd
 * .service (one run of the installed CLI, absolute paths, as a dedicated user where given) and its
 * .timer (the calendar, a random delay, Persistent=true so a run missed while the host was off happens
 * at the next boot), or crontab lines. Text only: nothing here installs or starts anything.
 */
import path from 'node:path';
import type { Scenario } from '../scenario/load.ts';
import { calendarFor, DEFAULT_DRILL_INTERVAL_MS, minuteOf, type Calendar } from './calendar.ts';

/** Where the units read the drills' secrets from. */
export const ENV_FILE = '/etc/restore-drill/environment';

export interface ScheduleRequest {
  scenarios: Scenario[];
  /** The node binary and the CLI's entry (harness/cli/main.ts) of this installation, absolute. */
  node: string;
  cli: string;
  /** The results folder, absolute. */
  results: string;
  /** The user the drills run as (a dedicated one, e.g. restore-drill); default: the scheduler's. */
  user?: string;
  /** --sandbox for the run (auto when not given). */
  sandbox?: string;
}

export interface UnitFile {
  name: string;
  text: string;
}

export function unitName(scenario: Scenario): string {
  return `restore-drill-${scenario.spec.name}`;
}

function calendarOf(scenario: Scenario): Calendar {
  return calendarFor(scenario.spec.targets.drill_interval ?? DEFAULT_DRILL_INTERVAL_MS);
}

/** The command line of one drill of the scenario. */
function runArgs(request: ScheduleRequest, scenario: Scenario): string[] {
  const args = [request.node, request.cli, 'run', path.resolve(scenario.file), '--results', request.results];
  if (request.sandbox) args.push('--sandbox', request.sandbox);
  return args;
}

export function systemdUnits(request: ScheduleRequest): UnitFile[] {
  return request.scenarios.flatMap((scenario) => {
    const calendar = calendarOf(scenario);
    const name = unitName(scenario);
    const what = scenario.spec.system ? `${scenario.spec.name} (${scenario.spec.system})` : scenario.spec.name;
    const service = [
      '[Unit]',
      `Description=restore-drill: restore drill of ${escapeSpecifiers(what)}`,
      'After=network-online.target docker.service',
      '',
      '[Service]',
      'Type=oneshot',
      ...(request.user ? [`User=${request.user}`] : []),
      // A path setting takes the rest of the line as it is: no quotes, only specifiers escaped.
      `WorkingDirectory=${escapeSpecifiers(path.dirname(path.resolve(scenario.file)))}`,
      // The secrets the scenario names by variable (password_env, secrets:), VAR=value a line, mode 0600; optional.
      `EnvironmentFile=-${ENV_FILE}`,
      `ExecStart=${runArgs(request, scenario).map(systemdQuote).join(' ')}`,
      // A drill may take hours (a full restore); systemd must not stop it at its default start timeout.
      'TimeoutStartSec=infinity',
      // restore-drill ends its drill and tears the sandbox down on SIGTERM; give it time to.
      'TimeoutStopSec=5min',
      'Nice=10',
      'IOSchedulingClass=idle',
      '',
    ].join('\n');
    return serviceAndTimer(name, service, {
      description: `restore-drill: drill ${escapeSpecifiers(scenario.spec.name)} ${calendar.words}`,
      onCalendar: calendar.onCalendar,
      delaySeconds: calendar.delaySeconds,
    });
  });
}

/** A service and the timer that starts it (Persistent: a run missed while the host was off is made up). */
export function serviceAndTimer(name: string, service: string, timer: { description: string; onCalendar: string; delaySeconds?: number }): UnitFile[] {
  const text = [
    '[Unit]',
    `Description=${timer.description}`,
    '',
    '[Timer]',
    `OnCalendar=${timer.onCalendar}`,
    ...(timer.delaySeconds === undefined ? [] : [`RandomizedDelaySec=${timer.delaySeconds}`]),
    'Persistent=true',
    `Unit=${name}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return [
    { name: `${name}.service`, text: service },
    { name: `${name}.timer`, text },
  ];
}

/**
 * Crontab lines, one per scenario: with a user, in the /etc/cron.d format (a user field); without,
 * for the user's own crontab. Cron has no random delay: the minute is spread by the scenario's name.
 */
export function crontabLines(request: ScheduleRequest): string {
  const lines = ['# restore-drill: restore drills at each scenario\'s targets.drill_interval (restore-drill schedule --cron)'];
  for (const scenario of request.scenarios) {
    const calendar = calendarOf(scenario);
    const command = `cd ${shellQuote(path.dirname(path.resolve(scenario.file)))} && ${runArgs(request, scenario).map(shellQuote).join(' ')}`;
    lines.push(`# ${scenario.spec.name}: ${calendar.words}`);
    lines.push([calendar.cron(minuteOf(scenario.spec.name)), ...(request.user ? [request.user] : []), command.replace(/%/g, '\\%')].join(' '));
  }
  return lines.join('\n') + '\n';
}

/** A word of ExecStart=: quoted when it holds anything but safe characters; % and $ escaped as systemd wants. */
export function systemdQuote(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function escapeSpecifiers(text: string): string {
  return text.replace(/%/g, '%%').replace(/[\r\n]/g, ' ');
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

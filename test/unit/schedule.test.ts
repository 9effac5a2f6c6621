/** restore-drill schedule's text: the calendar of a drill interval, the systemd units, the crontab lines. */
import assert from 'node:assert/strict';
import { calendarFor, minuteOf } from '../../harness/schedule/calendar.ts';
import { crontabLines, systemdUnits } from '../../harness/schedule/units.ts';
import { parseScenario } from '../../harness/scenario/load.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const scenario = (name: string, interval?: string, folder = '/srv/drills') =>
  parseScenario(`name: ${name}\nsystem: 医事会計 (billing)\nsource: { kind: directory, path: /b }\n${interval ? `targets: { drill_interval: ${interval} }\n` : ''}`, `${folder}/${name}.yaml`);
const request = (scenarios: ReturnType<typeof scenario>[], user?: string) => ({ scenarios, node: '/usr/bin/node', cli: '/opt/restore-drill/harness/cli/main.ts', results: '/var/lib/restore-drill/results', user });

describe('schedule: a drill interval as a calendar', () => {
  it('takes the longest calendar whose gap is not longer than the interval', () => {
    assert.equal(calendarFor(31 * DAY).onCalendar, '*-*-01 02:00:00');
    assert.equal(calendarFor(30 * DAY).onCalendar, 'Sun *-*-* 02:00:00', 'a 31-day month would overrun 30d');
    assert.equal(calendarFor(2 * DAY).onCalendar, '*-*-* 02:00:00');
    assert.equal(calendarFor(12 * HOUR).onCalendar, '*-*-* 00/12:00:00');
    assert.equal(calendarFor(5 * HOUR).onCalendar, '*-*-* 00/4:00:00');
    assert.equal(calendarFor(HOUR).onCalendar, '*-*-* *:00:00');
    for (const ms of [HOUR, 5 * HOUR, DAY, 10 * DAY, 40 * DAY]) assert.ok(calendarFor(ms).gapMs <= ms);
  });

  it('a random delay of a tenth of the gap, at most an hour', () => {
    assert.equal(calendarFor(31 * DAY).delaySeconds, 3600);
    assert.equal(calendarFor(HOUR).delaySeconds, 360);
  });

  it('refuses an interval under an hour, saying why', () => {
    assert.throws(() => calendarFor(10 * 60_000), /shorter than an hour.*targets\.drill_interval/);
  });

  it('spreads cron minutes by name, the same every time', () => {
    assert.equal(minuteOf('billing'), minuteOf('billing'));
    assert.ok(minuteOf('billing') >= 0 && minuteOf('billing') < 60);
  });
});

describe('schedule: the units and the crontab lines', () => {
  it('a service that runs the installed CLI with absolute paths, as the user given, with the results folder', () => {
    const [service, timer] = systemdUnits(request([scenario('billing', '7d')], 'restore-drill'));
    assert.equal(service!.name, 'restore-drill-billing.service');
    assert.match(service!.text, /^User=restore-drill$/m);
    assert.match(service!.text, /^ExecStart=\/usr\/bin\/node \/opt\/restore-drill\/harness\/cli\/main\.ts run \/srv\/drills\/billing\.yaml --results \/var\/lib\/restore-drill\/results$/m);
    assert.match(service!.text, /^Type=oneshot$/m);
    assert.match(service!.text, /^TimeoutStartSec=infinity$/m);
    assert.equal(timer!.name, 'restore-drill-billing.timer');
    assert.match(timer!.text, /^OnCalendar=Sun \*-\*-\* 02:00:00$/m);
    assert.match(timer!.text, /^RandomizedDelaySec=3600$/m);
    assert.match(timer!.text, /^Persistent=true$/m);
    assert.match(timer!.text, /^WantedBy=timers\.target$/m);
  });

  it('without a user, no User= line; without an interval, monthly (the index default of 31d)', () => {
    const [service, timer] = systemdUnits(request([scenario('share')]));
    assert.doesNotMatch(service!.text, /^User=/m);
    assert.match(timer!.text, /^OnCalendar=\*-\*-01 02:00:00$/m);
  });

  it('quotes a path with spaces and escapes % and $ as systemd reads them', () => {
    const [service] = systemdUnits({ ...request([scenario('share', undefined, '/srv/my drills')]), results: '/srv/100% $HOME' });
    assert.match(service!.text, /run "\/srv\/my drills\/share\.yaml" --results "\/srv\/100%% \$\$HOME"$/m);
  });

  it('crontab lines: the /etc/cron.d format with a user, % escaped', () => {
    const text = crontabLines({ ...request([scenario('billing', '1d')], 'restore-drill'), results: '/srv/100%' });
    const line = text.split('\n').find((l) => !l.startsWith('#') && l !== '')!;
    assert.equal(line, `${minuteOf('billing')} 2 * * * restore-drill cd /srv/drills && /usr/bin/node /opt/restore-drill/harness/cli/main.ts run /srv/drills/billing.yaml --results '/srv/100\\%'`);
  });
});

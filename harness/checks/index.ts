/** Check kinds by name: builds the checks a scenario's `expect` asks for, in the order they run. */
import type { Scenario } from '../scenario/load.ts';
import { CanaryCheck } from './canary.ts';
import type { Check } from './check.ts';
import { CommandCheck } from './command.ts';
import { manifestLocator } from './expected-manifest.ts';
import { FilesCheck } from './files.ts';
import { ransomwareCheckFor } from './ransomware-factory.ts';
import { HttpCheck } from './http.ts';
import { BootCheck, GuestAgentCheck, ScreenCheck, TcpCheck } from './machine.ts';
import { SqlCheck } from './sql.ts';
import { TextCheck } from './text.ts';

export function createChecks(scenario: Scenario): Check[] {
  const expect = scenario.spec.expect;
  const checks: Check[] = [];
  const source = scenario.spec.source;
  const database = source.kind === 'pgdump' ? source.database : 'postgres';
  if (expect.files) checks.push(new FilesCheck(expect.files, manifestLocator(expect.files.manifest, (file) => scenario.resolve(file))));
  for (const text of expect.text ?? []) checks.push(new TextCheck(text, scenario.resolve(text.expected)));
  for (const sql of expect.sql ?? []) checks.push(new SqlCheck(sql, { database, rowsFile: sql.rows_file === undefined ? undefined : scenario.resolve(sql.rows_file) }));
  for (const canary of expect.canary ?? []) {
    // Without max_age and an RPO target, a canary must at least be from the last day.
    checks.push(new CanaryCheck(canary, { maxAgeMs: scenario.spec.targets.rpo ?? 86_400_000, database }));
  }
  // A machine boots first and answers its agent before commands run in it.
  if (expect.boot) checks.push(new BootCheck(expect.boot));
  if (expect.guest_agent) checks.push(new GuestAgentCheck(expect.guest_agent));
  for (const command of expect.command ?? []) checks.push(new CommandCheck(command));
  if (expect.ransomware?.scan) checks.push(ransomwareCheckFor(scenario));
  for (const tcp of expect.tcp ?? []) checks.push(new TcpCheck(tcp));
  for (const http of expect.http ?? []) checks.push(new HttpCheck(http));
  if (expect.screen) checks.push(new ScreenCheck(expect.screen));
  return checks;
}

export { checkThrew, diffOf, screenshotOf } from './check.ts';
export type { Check, CheckContext, CheckKind, CheckResult, Finding } from './check.ts';

/** Check kinds by name: builds the checks a scenario's `expect` asks for, in the order they run. */
import type { Scenario } from '../scenario/load.ts';
import type { Check } from './check.ts';
import { CommandCheck } from './command.ts';
import { FilesCheck } from './files.ts';
import { ransomwareCheckFor } from './ransomware-factory.ts';

export function createChecks(scenario: Scenario): Check[] {
  const expect = scenario.spec.expect;
  const checks: Check[] = [];
  if (expect.files) checks.push(new FilesCheck(expect.files, scenario.resolve(expect.files.manifest)));
  for (const command of expect.command ?? []) checks.push(new CommandCheck(command));
  if (expect.ransomware?.scan) checks.push(ransomwareCheckFor(scenario));
  return checks;
}

export type { Check, CheckContext, CheckResult, Finding } from './check.ts';

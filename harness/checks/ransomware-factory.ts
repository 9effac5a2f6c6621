/** Builds the ransomware check from a scenario; its settings, or the defaults when it has none. */
import type { Scenario } from '../scenario/load.ts';
import { ransomwareCheckSchema } from '../scenario/schema.ts';
import { RansomwareCheck } from './ransomware.ts';

export function ransomwareCheckFor(scenario: Scenario): RansomwareCheck {
  const spec = scenario.spec.expect.ransomware ?? ransomwareCheckSchema.parse({});
  const extra = spec.indicators === undefined ? [] : Array.isArray(spec.indicators) ? spec.indicators : [spec.indicators];
  return new RansomwareCheck({ spec, indicatorFiles: extra.map((f) => scenario.resolve(f)) });
}

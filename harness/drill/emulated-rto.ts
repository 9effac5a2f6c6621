/** The words shown next to an RTO measured on an emulated machine (the vm sandbox under TCG). */
import type { DrillResult } from './result.ts';

export function emulatedRto(result: Pick<DrillResult, 'sandbox'>): string | undefined {
  return result.sandbox?.description.accel === 'tcg' ? 'measured under TCG emulation: not the production RTO' : undefined;
}

/** The words shown next to an RTO measured on an emulated machine (the vm sandbox under TCG). */
import type { DrillResult } from './result.ts';

export function emulatedRto(result: Pick<DrillResult, 'sandbox'>): string | undefined {
  return result.sandbox?.description.accel === 'tcg' ? 'measured under TCG emulation: not the production RTO' : undefined;
}

/** The result's note when the RTO was measured on an emulated machine. */
export function emulatedRtoNotes(sandbox: { description: Record<string, string> } | undefined): string[] {
  return sandbox?.description.accel === 'tcg' ? ['the RTO was measured under TCG emulation (no usable KVM on this host): it is not the production RTO, which is shorter on a hypervisor'] : [];
}

/**
 * What a sandbox image declares about itself in its labels (images/README.md): the capabilities its
 * service needs, and the command that starts it.
 */
import { InfrastructureError } from '../errors.ts';

export const IMAGE_LABEL = {
  name: 'io.restore-drill.image',
  capabilities: 'io.restore-drill.capabilities',
  start: 'io.restore-drill.start',
} as const;

/** Capabilities that would undo the sandbox's isolation: never added, whatever an image says. */
const REFUSED = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_BOOT', 'SYS_TIME', 'SYS_PTRACE', 'NET_ADMIN', 'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON', 'SYSLOG']);

/** The capabilities an image's label asks for, checked. */
export function imageCapabilities(image: string, labels: Record<string, string>): string[] {
  const declared = (labels[IMAGE_LABEL.capabilities] ?? '').split(',').map((c) => c.trim().toUpperCase().replace(/^CAP_/, '')).filter(Boolean);
  for (const cap of declared) {
    if (!/^[A-Z_]+$/.test(cap)) {
      throw new InfrastructureError('IMAGE_LABEL_INVALID', `The image ${image} declares the capability '${cap}' in ${IMAGE_LABEL.capabilities}, which is not a capability name. Fix the image's Dockerfile.`);
    }
    if (REFUSED.has(cap)) {
      throw new InfrastructureError(
        'IMAGE_CAPABILITY_REFUSED',
        `The image ${image} asks for the capability ${cap}, which would undo the sandbox's isolation; restore-drill never grants it. Change the image so that its service runs without it.`,
      );
    }
  }
  return [...new Set(declared)];
}

/** The image's start command (empty: the image has no service to start). */
export function imageStartCommand(labels: Record<string, string>): string | undefined {
  const start = (labels[IMAGE_LABEL.start] ?? '').trim();
  return start || undefined;
}

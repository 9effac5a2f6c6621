/** What the local sandbox protects, in the words result.json and the reports use: only what was applied. */
import type { Bwrap } from './bwrap.ts';
import type { Isolation } from './sandbox.ts';

export type Confinement =
  | { kind: 'bwrap'; bwrap: Bwrap }
  /** --unsafe-local on a host where bubblewrap cannot make a sandbox: commands run unconfined. */
  | { kind: 'unsafe'; reason: string; unshare: string[] | undefined }
  /** No bubblewrap and no opt-in: scenario commands are refused. */
  | { kind: 'refuse'; reason: string; unshare: string[] | undefined };

export const BACKUP_PROTECTION = {
  bwrap: 'read-only bind mount (bubblewrap)',
  unsafe: 'harness opens it read-only; commands could write it (no sandbox)',
  refuse: 'harness opens it read-only; no sandbox, so scenario commands are refused',
} as const;

export function localIsolation(confinement: Confinement, networkAsked: string): Isolation {
  const notes: string[] = [];
  let networkIsolated = true;
  if (confinement.kind === 'bwrap') {
    notes.push('commands run in bubblewrap: uid 65534 with no capabilities, their own user, PID, mount, network and IPC namespaces; only /usr, a few /etc files, the backup (read-only) and the sandbox folder (writable) are visible; every process a command starts ends with it');
    notes.push(confinement.bwrap.seccomp.note);
  } else if (confinement.kind === 'unsafe') {
    notes.push(`UNSAFE (--unsafe-local): ${confinement.reason}, so restore steps and command checks ran WITHOUT A SANDBOX, as the harness's user on this host: they could read and write what it can, the backup included (the backup was fingerprinted before and after)`);
  } else {
    notes.push(`${confinement.reason}: restore steps and command checks are refused (apt-get install bubblewrap, --sandbox docker, or --unsafe-local); only the harness's own restore and reads ran`);
  }
  if (confinement.kind !== 'bwrap') {
    networkIsolated = confinement.unshare !== undefined;
    if (!networkIsolated) notes.push('this host does not allow a private network namespace (unshare failed): commands could reach the network');
  }
  if (networkAsked !== 'none') notes.push(`the local sandbox cannot provide the network '${networkAsked}': commands run with no network`);
  notes.push('memory, CPU and process limits apply only in the docker sandbox');
  return {
    networkIsolated,
    network: networkIsolated ? 'none' : 'host',
    backupProtection: BACKUP_PROTECTION[confinement.kind],
    notes,
  };
}

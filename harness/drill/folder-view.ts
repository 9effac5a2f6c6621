/**
 * A host folder seen as a sandbox with nothing running in it: for checks that only read
 * `hostRestoreDir` (files), run over a scratch view by the negative control. Commands are refused.
 */
import { DrillError } from '../errors.ts';
import type { Sandbox } from '../sandboxes/sandbox.ts';

export function folderView(folder: string): Sandbox {
  const refuse = (): never => {
    throw new DrillError('UNEXPECTED', `a command was asked of the scratch view ${folder}, which runs none`);
  };
  const dispose = async () => {};
  return {
    driver: 'local',
    isolation: { networkIsolated: true, network: 'none', backupProtection: 'not visible', notes: [] },
    description: { view: folder },
    restoreDir: folder,
    hostRestoreDir: folder,
    backupPath: refuse,
    exec: async () => refuse(),
    logTail: async () => '',
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

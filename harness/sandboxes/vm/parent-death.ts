/**
 * QEMU dies with the harness: started through util-linux's `setpriv --pdeathsig SIGKILL`, the kernel
 * kills it when the harness goes, even by SIGKILL, so no machine (nor a KVM probe spinning in the
 * kernel, which has no owner file for the next run to find) outlives it. Without setpriv, plainly.
 */
import { spawnSync } from 'node:child_process';

let setprivWorks: boolean | undefined;

/** The command line that starts `program args` so that it is killed when this process ends. */
export function diesWithHarness(program: string, args: string[]): [string, string[]] {
  setprivWorks ??= spawnSync('setpriv', ['--pdeathsig', 'SIGKILL', 'true'], { stdio: 'ignore', timeout: 2000 }).status === 0;
  return setprivWorks ? ['setpriv', ['--pdeathsig', 'SIGKILL', program, ...args]] : [program, args];
}

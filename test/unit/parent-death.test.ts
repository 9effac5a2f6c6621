/** QEMU (here a stand-in) is killed by the kernel when the harness dies, even by SIGKILL. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { processAlive } from '../../harness/sandboxes/process.ts';

const MODULE = fileURLToPath(new URL('../../harness/sandboxes/vm/parent-death.ts', import.meta.url));

describe('a machine dies with the harness (setpriv --pdeathsig)', function () {
  this.timeout(20_000);

  it('a process started by a harness that is SIGKILLed does not outlive it', async () => {
    const harness = spawn(process.execPath, ['--input-type=module', '-e', `
      import { spawn } from 'node:child_process';
      const { diesWithHarness } = await import(${JSON.stringify(MODULE)});
      const child = spawn(...diesWithHarness('sleep', ['317']), { stdio: 'ignore' });
      console.log(child.pid);
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => harness.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    assert.ok(processAlive(pid), 'the stand-in runs');
    harness.kill('SIGKILL');
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      await sleep(100);
      alive = processAlive(pid) && !(await isZombie(pid));
    }
    if (alive) process.kill(pid, 'SIGKILL');
    assert.equal(alive, false, 'the stand-in outlived the harness');
  });
});

async function isZombie(pid: number): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return / Z /.test(stat);
}

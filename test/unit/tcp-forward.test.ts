/**
 * The tcp check through QEMU's forward. The trap: QEMU's user network accepts on 127.0.0.1 and holds
 * the connection open while it tries the guest, so "the connection stayed open for a moment" (the
 * first rule) passed with no guest at all. Shown here with a real QEMU that boots nothing (no disk:
 * its firmware stops at "no bootable device"); the check must ask QEMU's table instead.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { forwardAnswers, guestAccepted } from '../../harness/checks/tcp-forward.ts';
import { freePort } from '../../harness/sandboxes/vm/boot-files.ts';
import { QmpClient } from '../../harness/sandboxes/vm/qmp.ts';
import { VmSandboxDriver } from '../../harness/sandboxes/vm/driver.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

// `info usernet` as QEMU 7.2 prints it: one forward listening, one connection waiting for the guest, one the guest accepted.
const TABLE = [
  'Hub -1 (#net004):',
  '  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ',
  '  TCP[SYN_SENT]       9       127.0.0.1 47123       10.0.2.15  8080     0     0',
  '  TCP[HOST_FORWARD]   8       127.0.0.1 47123       10.0.2.15  8080     0     0',
  '  TCP[ESTABLISHED]   11       127.0.0.1 41000       10.0.2.15    22     0     0',
].join('\r\n');

describe('unit: tcp check through QEMU\'s forward', function () {
  this.timeout(30_000);

  it('only an ESTABLISHED row of this forward counts as the guest accepting', () => {
    assert.equal(guestAccepted(TABLE, 47123, 8080), false, 'SYN_SENT: QEMU still waits for the guest');
    assert.equal(guestAccepted(TABLE, 41000, 22), true);
    assert.equal(guestAccepted(TABLE, 41000, 2222), false);
  });

  describe('with a real QEMU and no guest', () => {
    let dir: string;
    let qemu: ChildProcess | undefined;
    let qmp: QmpClient | undefined;
    let hostPort: number;

    before(async function () {
      const available = await new VmSandboxDriver().available();
      if (!available.ok) skipBecause(this, available.reason ?? 'QEMU is not installed');
      dir = await mkdtemp(path.join(os.tmpdir(), 'rd-tcp-forward-'));
      hostPort = await freePort();
      const socket = path.join(dir, 'q.sock');
      qemu = spawn('qemu-system-x86_64', ['-machine', 'q35,accel=tcg', '-nodefaults', '-no-user-config', '-display', 'none', '-m', '64M', '-nic', `user,model=e1000,restrict=on,hostfwd=tcp:127.0.0.1:${hostPort}-:8080`, '-qmp', `unix:${socket},server=on,wait=off`], { stdio: 'ignore' });
      qmp = await QmpClient.connect(socket, { timeoutMs: 10_000 });
    });
    after(async () => {
      qmp?.close();
      qemu?.kill('SIGKILL');
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('the forward holds a connection open with nothing behind it, and the check does not take that for an answer', async () => {
      const held = await new Promise<boolean>((resolve) => {
        const socket = net.createConnection({ host: '127.0.0.1', port: hostPort });
        socket.once('connect', () => setTimeout(() => (socket.destroy(), resolve(true)), 1500));
        socket.once('close', () => resolve(false));
      });
      assert.equal(held, true, 'the trap: open for 1.5 s though no guest runs');
      const usernet = () => qmp!.execute<string>('human-monitor-command', { 'command-line': 'info usernet' }, { timeoutMs: 5000 });
      assert.match(await usernet(), /HOST_FORWARD/);
      assert.equal(await forwardAnswers(hostPort, 8080, usernet, 1500), false);
    });
  });
});

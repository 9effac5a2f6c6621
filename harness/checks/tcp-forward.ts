/**
 * Whether a guest port answers through QEMU's user-network forward. The forward itself always
 * accepts on 127.0.0.1 and then connects to the guest: while the guest does not answer (no network
 * driver, interface down, nothing there at all) the host's connection just stays open, in SYN_SENT
 * on QEMU's side. So only QEMU's own table says the guest accepted: a row ESTABLISHED for this
 * forward in `info usernet`. A guest that refuses (nothing listens) makes QEMU close the connection.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 100;

/** True when the guest accepted a connection to guestPort through the forward at hostPort. */
export async function forwardAnswers(hostPort: number, guestPort: number, usernet: () => Promise<string>, waitMs = 2000): Promise<boolean> {
  const socket = net.createConnection({ host: '127.0.0.1', port: hostPort });
  let state = 'connecting' as 'connecting' | 'open' | 'data' | 'closed';
  socket.once('connect', () => (state = 'open'));
  socket.once('data', () => (state = 'data'));
  socket.once('close', () => (state = state === 'data' ? 'data' : 'closed'));
  socket.once('error', () => (state = 'closed'));
  try {
    const deadline = performance.now() + waitMs;
    while (performance.now() < deadline) {
      await sleep(POLL_MS);
      const now = state;
      if (now === 'data') return true;
      if (now === 'closed') return false;
      if (now === 'open' && guestAccepted(await usernet().catch(() => ''), hostPort, guestPort)) return true;
    }
    return false;
  } finally {
    socket.destroy();
  }
}

/** Whether `info usernet` shows an ESTABLISHED connection of the forward hostPort → guestPort. */
export function guestAccepted(table: string, hostPort: number, guestPort: number): boolean {
  const row = new RegExp(`^\\s*TCP\\[ESTABLISHED\\]\\s+\\d+\\s+\\S+\\s+${hostPort}\\s+\\S+\\s+${guestPort}\\s`, 'm');
  return row.test(table);
}

/**
 * A small client of the QEMU guest agent (qemu-ga, over a virtio-serial port): guest-ping, and
 * guest-exec with guest-exec-status polled until the program ends or the deadline comes. Each session
 * starts with guest-sync-delimited, so stale replies of an earlier client are skipped.
 */
import { DeadlineError, JsonSocket, type Waits } from './json-socket.ts';
import { isObject } from './qmp.ts';

export interface GuestExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface Reply {
  return?: unknown;
  error?: { class: string; desc: string };
}

export class GuestAgentError extends Error {}

const POLL_MS = 100;
/** The agent answers at most this much of a program's output. */
const MAX_OUTPUT = 1024 * 1024;

export class GuestAgent {
  private readonly socket: JsonSocket;

  private constructor(socket: JsonSocket) {
    this.socket = socket;
  }

  /** Connects and synchronises; fails at the deadline when no agent answers. */
  static async connect(socketPath: string, waits: Waits): Promise<GuestAgent> {
    const socket = await JsonSocket.connect(socketPath, waits);
    const agent = new GuestAgent(socket);
    try {
      const id = Math.floor(Math.random() * 2 ** 31);
      socket.sendRaw(Buffer.from([0xff]));
      socket.send({ execute: 'guest-sync-delimited', arguments: { id } });
      await socket.next((m) => (isObject(m) && m.return === id ? true : undefined), waits);
      return agent;
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  async ping(waits: Waits): Promise<void> {
    await this.call('guest-ping', {}, waits);
  }

  /** Runs a program in the guest; output is captured. A non-zero exit is a result. */
  async exec(program: string, args: string[], options: Waits & { env?: string[] }): Promise<GuestExecResult> {
    const deadline = Date.now() + options.timeoutMs;
    const started = await this.call<{ pid: number }>('guest-exec', { path: program, arg: args, env: options.env ?? [], 'capture-output': true }, options);
    for (;;) {
      const status = await this.call<ExecStatus>('guest-exec-status', { pid: started.pid }, { timeoutMs: Math.max(1000, deadline - Date.now()), signal: options.signal });
      if (status.exited) {
        return { exitCode: status.exitcode ?? (status.signal ? 128 + status.signal : 1), stdout: decode(status['out-data']), stderr: decode(status['err-data']), timedOut: false };
      }
      if (Date.now() + POLL_MS > deadline) return { exitCode: 124, stdout: '', stderr: `still running after ${options.timeoutMs} ms`, timedOut: true };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      options.signal?.throwIfAborted();
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private async call<T>(command: string, args: Record<string, unknown>, waits: Waits): Promise<T> {
    this.socket.send({ execute: command, arguments: args });
    const reply = await this.socket.next((m) => (isObject(m) && ('return' in m || 'error' in m) ? (m as Reply) : undefined), waits).catch((err) => {
      throw err instanceof DeadlineError ? new DeadlineError(`the guest agent did not answer ${command}: ${err.message}`) : err;
    });
    if (reply.error) throw new GuestAgentError(`the guest agent refused ${command}: ${reply.error.desc}`);
    return reply.return as T;
  }
}

interface ExecStatus {
  exited: boolean;
  exitcode?: number;
  signal?: number;
  'out-data'?: string;
  'err-data'?: string;
}

function decode(data: string | undefined): string {
  if (!data) return '';
  return Buffer.from(data, 'base64').subarray(0, MAX_OUTPUT).toString('utf8');
}

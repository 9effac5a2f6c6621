/**
 * JSON lines over a unix socket, the shape QMP and the QEMU guest agent both speak: one JSON object
 * a line each way. Every wait has a deadline and an AbortSignal; a closed socket fails every waiter.
 */
import net from 'node:net';

export class SocketClosedError extends Error {}
export class DeadlineError extends Error {}

export interface Waits {
  /** How long this wait may take, in milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
}

const MAX_LINE = 16 * 1024 * 1024;

export class JsonSocket {
  private readonly socket: net.Socket;
  private buffer = '';
  private readonly messages: unknown[] = [];
  private waiter: (() => void) | undefined;
  private closed: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (err) => this.close(new SocketClosedError(`the socket failed: ${err.message}`)));
    socket.on('close', () => this.close(new SocketClosedError('the socket was closed')));
  }

  /** Connects, retrying while the socket file does not yet exist or refuses (QEMU still starting). */
  static async connect(socketPath: string, waits: Waits): Promise<JsonSocket> {
    const deadline = Date.now() + waits.timeoutMs;
    for (;;) {
      waits.signal?.throwIfAborted();
      try {
        return new JsonSocket(await connectOnce(socketPath, Math.max(1, deadline - Date.now())));
      } catch (err) {
        if (Date.now() + 100 > deadline) throw new DeadlineError(`nothing answered on ${socketPath} within ${waits.timeoutMs} ms (${(err as Error).message})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  send(message: unknown): void {
    if (this.closed) throw this.closed;
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Sends raw bytes (the guest agent's sync delimiter). */
  sendRaw(bytes: Buffer): void {
    if (this.closed) throw this.closed;
    this.socket.write(bytes);
  }

  /** The next message that `accept` takes; others (events, stale replies) are dropped. */
  async next<T>(accept: (message: unknown) => T | undefined, waits: Waits): Promise<T> {
    const deadline = Date.now() + waits.timeoutMs;
    for (;;) {
      while (this.messages.length > 0) {
        const taken = accept(this.messages.shift());
        if (taken !== undefined) return taken;
      }
      if (this.closed) throw this.closed;
      waits.signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) throw new DeadlineError(`no answer within ${waits.timeoutMs} ms`);
      await this.arrival(left, waits.signal);
    }
  }

  destroy(): void {
    this.socket.destroy();
    this.close(new SocketClosedError('the socket was closed'));
  }

  private arrival(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE) {
      this.close(new SocketClosedError(`a message longer than ${MAX_LINE} bytes: refused`));
      this.socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      // The agent's sync reply may be preceded by a 0xff delimiter byte; it and blank lines are skipped.
      const line = this.buffer.slice(0, newline).replace(/^[\s\u00ff\ufffd]+/, '').trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line === '') continue;
      try {
        this.messages.push(JSON.parse(line));
      } catch {
        // Not JSON (a partial line after a resync): skipped.
      }
    }
    this.waiter?.();
  }

  private close(reason: Error): void {
    this.closed ??= reason;
    this.waiter?.();
  }
}

function connectOnce(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connecting timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

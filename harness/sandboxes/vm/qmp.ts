/**
 * A small QMP client (the QEMU Machine Protocol): greeting, capabilities negotiation, then one
 * command at a time. Asynchronous events are dropped; each command has a deadline.
 */
import { DeadlineError, JsonSocket, type Waits } from './json-socket.ts';

export class QmpError extends Error {
  readonly qmpClass: string;
  constructor(command: string, qmpClass: string, desc: string) {
    super(`QMP ${command} failed: ${desc} (${qmpClass})`);
    this.qmpClass = qmpClass;
  }
}

interface Reply {
  return?: unknown;
  error?: { class: string; desc: string };
  id?: number;
}

export class QmpClient {
  private readonly socket: JsonSocket;
  private nextId = 1;

  private constructor(socket: JsonSocket) {
    this.socket = socket;
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(socketPath: string, waits: Waits): Promise<QmpClient> {
    const socket = await JsonSocket.connect(socketPath, waits);
    try {
      await socket.next((m) => (isObject(m) && 'QMP' in m ? m : undefined), waits);
      const client = new QmpClient(socket);
      await client.execute('qmp_capabilities', {}, waits);
      return client;
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  async execute<T = unknown>(command: string, args: Record<string, unknown>, waits: Waits): Promise<T> {
    const id = this.nextId++;
    this.socket.send({ execute: command, arguments: args, id });
    const reply = await this.socket.next((m) => (isObject(m) && (m as Reply).id === id ? (m as Reply) : undefined), waits).catch((err) => {
      throw err instanceof DeadlineError ? new DeadlineError(`QMP ${command}: ${err.message}`) : err;
    });
    if (reply.error) throw new QmpError(command, reply.error.class, reply.error.desc);
    return reply.return as T;
  }

  /** The run state: "running", "paused", "shutdown", "guest-panicked" ... */
  async status(waits: Waits): Promise<string> {
    return (await this.execute<{ status: string }>('query-status', {}, waits)).status;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

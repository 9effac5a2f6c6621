import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GuestAgent } from '../../harness/sandboxes/vm/guest-agent.ts';
import { DeadlineError } from '../../harness/sandboxes/vm/json-socket.ts';
import { QmpClient, QmpError } from '../../harness/sandboxes/vm/qmp.ts';

type Handler = (message: Record<string, unknown>, reply: (line: string) => void) => void;

/** A unix-socket server speaking JSON lines, answering with `handler`; `greeting` is sent on connect. */
async function fakeServer(dir: string, handler: Handler, greeting?: string): Promise<{ socket: string; close(): Promise<void>; received: Record<string, unknown>[] }> {
  const socket = path.join(dir, `s${Math.random().toString(36).slice(2)}.sock`);
  const received: Record<string, unknown>[] = [];
  const connections = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    connections.add(conn);
    if (greeting) conn.write(`${greeting}\n`);
    let buffer = '';
    conn.on('data', (chunk) => {
      buffer += chunk.toString('latin1').replace(/\xff/g, '');
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
        buffer = buffer.slice(newline + 1);
        received.push(message);
        handler(message, (line) => conn.write(`${line}\n`));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, received, close: () => new Promise<void>((resolve) => { for (const c of connections) c.destroy(); server.close(() => resolve()); }) };
}

const QMP_GREETING = JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: [] } });

describe('unit: QMP and guest-agent clients', function () {
  this.timeout(10_000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'rd-vm-clients-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('QMP: negotiates capabilities, skips events, matches replies by id and reports errors', async function () {
    const server = await fakeServer(dir, (m, reply) => {
      if (m.execute === 'query-status') {
        reply(JSON.stringify({ event: 'RESUME', timestamp: {} }));
        reply(JSON.stringify({ return: { status: 'running', running: true }, id: m.id }));
      } else if (m.execute === 'nonsense') reply(JSON.stringify({ error: { class: 'CommandNotFound', desc: 'The command nonsense has not been found' }, id: m.id }));
      else reply(JSON.stringify({ return: {}, id: m.id }));
    }, QMP_GREETING);
    const qmp = await QmpClient.connect(server.socket, { timeoutMs: 2000 });
    try {
      assert.equal(server.received[0]?.execute, 'qmp_capabilities');
      assert.equal(await qmp.status({ timeoutMs: 2000 }), 'running');
      await assert.rejects(qmp.execute('nonsense', {}, { timeoutMs: 2000 }), (err: unknown) => err instanceof QmpError && err.qmpClass === 'CommandNotFound');
    } finally {
      qmp.close();
      await server.close();
    }
  });

  it('QMP: a server that never answers fails at the deadline, and an abort stops the wait', async function () {
    const server = await fakeServer(dir, () => undefined, QMP_GREETING);
    try {
      const started = Date.now();
      await assert.rejects(QmpClient.connect(server.socket, { timeoutMs: 300 }), DeadlineError);
      assert.ok(Date.now() - started < 1500, 'bounded by the deadline');
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stopped')), 100);
      await assert.rejects(QmpClient.connect(server.socket, { timeoutMs: 5000, signal: controller.signal }), /stopped/);
    } finally {
      await server.close();
    }
  });

  it('QMP: connecting to a socket that does not exist fails at the deadline', async function () {
    await assert.rejects(QmpClient.connect(path.join(dir, 'absent.sock'), { timeoutMs: 300 }), DeadlineError);
  });

  it('guest agent: syncs past stale replies, pings, runs a program and decodes its output', async function () {
    let polls = 0;
    const server = await fakeServer(dir, (m, reply) => {
      const args = m.arguments as Record<string, unknown>;
      if (m.execute === 'guest-sync-delimited') {
        reply(JSON.stringify({ return: 12345 }));
        reply(`\xff${JSON.stringify({ return: args.id })}`);
      } else if (m.execute === 'guest-ping') reply(JSON.stringify({ return: {} }));
      else if (m.execute === 'guest-exec') reply(JSON.stringify({ return: { pid: 42 } }));
      else if (m.execute === 'guest-exec-status') {
        polls++;
        reply(JSON.stringify({ return: polls < 2 ? { exited: false } : { exited: true, exitcode: 3, 'out-data': Buffer.from('検査 ok\n').toString('base64'), 'err-data': Buffer.from('warn').toString('base64') } }));
      }
    });
    const agent = await GuestAgent.connect(server.socket, { timeoutMs: 2000 });
    try {
      await agent.ping({ timeoutMs: 2000 });
      const result = await agent.exec('/bin/sh', ['-c', 'exit 3'], { timeoutMs: 2000 });
      assert.deepEqual(result, { exitCode: 3, stdout: '検査 ok\n', stderr: 'warn', timedOut: false });
      const exec = server.received.find((m) => m.execute === 'guest-exec');
      assert.deepEqual((exec?.arguments as Record<string, unknown>).arg, ['-c', 'exit 3']);
    } finally {
      agent.close();
      await server.close();
    }
  });

  it('guest agent: a program still running at the deadline is a timed-out result; a silent agent fails the connect', async function () {
    const server = await fakeServer(dir, (m, reply) => {
      const args = m.arguments as Record<string, unknown>;
      if (m.execute === 'guest-sync-delimited') reply(JSON.stringify({ return: args.id }));
      else if (m.execute === 'guest-exec') reply(JSON.stringify({ return: { pid: 7 } }));
      else reply(JSON.stringify({ return: { exited: false } }));
    });
    const silent = await fakeServer(dir, () => undefined);
    const agent = await GuestAgent.connect(server.socket, { timeoutMs: 2000 });
    try {
      const result = await agent.exec('/bin/sleep', ['100'], { timeoutMs: 400 });
      assert.equal(result.timedOut, true);
      await assert.rejects(GuestAgent.connect(silent.socket, { timeoutMs: 300 }), DeadlineError);
    } finally {
      agent.close();
      await server.close();
      await silent.close();
    }
  });
});

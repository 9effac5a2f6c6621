/** A webhook receiver on 127.0.0.1 made by the test: each request gets the next scripted answer. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer: a status (and headers), or 'hang' to never answer. */
export type Scripted = { status: number; headers?: Record<string, string> } | 'hang';

export interface Received {
  path: string;
  body: unknown;
  at: number;
}

export interface Webhook {
  /** http://127.0.0.1:PORT/hook/TOKEN */
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** Answers 200 once the script is used up. */
export async function webhook(script: Scripted[] = [], token = 'T0KEN-abcdef123456'): Promise<Webhook> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', body: text ? JSON.parse(text) : undefined, at: Date.now() });
      const answer = script.shift() ?? { status: 200 };
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/${token}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

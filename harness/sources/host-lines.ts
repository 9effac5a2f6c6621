/**
 * A backup tool run on this host whose JSON-lines output is read only until the lines wanted are
 * seen: a listing of a folder of a hundred thousand studies need not be read (or kept) past them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startProcess } from '../sandboxes/process.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TIMEOUT_MS = 10 * 60_000;

/**
 * Hands each line (parsed) to `take` until it returns true (the tool is then stopped): { done: true };
 * else, when the output ends first, how the tool ended.
 */
export async function readJsonLinesUntil<T>(
  program: string,
  args: string[],
  options: { env: Record<string, string>; signal: AbortSignal },
  take: (value: T) => boolean,
): Promise<{ done: true } | { done: false; ended: Omit<ExecResult, 'stdout'> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), `restore-drill-${program}-`));
  const stop = new AbortController();
  try {
    const started = startProcess(program, args, {
      env: { PATH: SAFE_PATH, HOME: home, TMPDIR: home, LANG: 'C.UTF-8', ...options.env },
      timeoutMs: TIMEOUT_MS,
      signal: AbortSignal.any([options.signal, stop.signal]),
    });
    started.done.catch(() => undefined);
    for await (const line of createInterface({ input: started.stdout, crlfDelay: Infinity })) {
      let value: T;
      try {
        value = JSON.parse(line) as T;
      } catch {
        continue;
      }
      if (value && typeof value === 'object' && take(value)) return { done: true };
    }
    return { done: false, ended: await started.done };
  } finally {
    stop.abort();
    await rm(home, { recursive: true, force: true });
  }
}

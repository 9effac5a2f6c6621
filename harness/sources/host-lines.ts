/**
 * A backup tool run on this host whose JSON-lines output is read only until the line wanted: a
 * listing of a folder of a hundred thousand studies need not be read (or kept) past its first node.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startProcess } from '../sandboxes/process.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TIMEOUT_MS = 10 * 60_000;

/** The first line (parsed) that `wanted` accepts (the tool is then stopped), or how the tool ended without one. */
export async function firstJsonLine<T>(
  program: string,
  args: string[],
  options: { env: Record<string, string>; signal: AbortSignal },
  wanted: (value: T) => boolean,
): Promise<{ found: T } | { found?: undefined; ended: Omit<ExecResult, 'stdout'> }> {
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
      if (value && typeof value === 'object' && wanted(value)) return { found: value };
    }
    return { ended: await started.done };
  } finally {
    stop.abort();
    await rm(home, { recursive: true, force: true });
  }
}

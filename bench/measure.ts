/** Timing whole processes, the plain tools' and ours, the same way. */
import { spawn } from 'node:child_process';

export interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export function timeCommand(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** The best of `runs` (the least disturbed by the rest of the machine). */
export async function bestOf<T extends Timed>(runs: number, fn: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < runs; i++) {
    const timed = await fn();
    if (timed.code !== 0) throw new Error(`command failed (${timed.code}): ${timed.stderr.slice(-500)}`);
    if (!best || timed.ms < best.ms) best = timed;
  }
  return best!;
}

/** Drops the page cache where allowed, so that no tool is favoured by running after another. */
export async function warmCache(dir: string): Promise<void> {
  await timeCommand('sh', ['-c', `find "${dir}" -type f -exec cat {} + > /dev/null`]);
}

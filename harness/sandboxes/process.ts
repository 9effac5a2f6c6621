/** Runs a process with a deadline, an abort signal and bounded output capture. */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { ExecResult } from './sandbox.ts';

const KEEP_BYTES = 1024 * 1024;

export interface RunOptions {
  cwd?: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  stdin?: string;
  /** Bytes the process reads on fd 3 (bwrap's `--seccomp 3`): a pipe of its own, ended once written. */
  fd3?: Buffer;
}

export function runProcess(command: string, args: string[], options: RunOptions): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    // Its own process group, so that a timeout or Ctrl-C ends everything the command started.
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: options.fd3 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'] });
    if (options.fd3) (child.stdio[3] as Writable).on('error', () => undefined).end(options.fd3);
    const stdout = new TailBuffer();
    const stderr = new TailBuffer();
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    child.on('error', (err) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      resolve({
        exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1),
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: performance.now() - started,
        timedOut,
      });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** Keeps the last KEEP_BYTES of a stream. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= KEEP_BYTES) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - KEEP_BYTES)).toString('utf8');
  }
}

/** Whether a process of this host still runs (a sandbox's owner, when judging leftovers). */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

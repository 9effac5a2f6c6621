/** The transcript of what ran in a sandbox (logs/exec.log), with secret values blotted out. */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExecResult } from './sandbox.ts';

export class ExecLog {
  private readonly file: string;
  private ready: Promise<unknown>;

  constructor(logDir: string) {
    this.file = path.join(logDir, 'exec.log');
    this.ready = mkdir(logDir, { recursive: true });
  }

  async record(command: string, result: ExecResult, secrets: string[]): Promise<void> {
    const lines = [
      `$ ${command}`,
      result.stdout.trimEnd(),
      result.stderr ? `[stderr]\n${result.stderr.trimEnd()}` : '',
      `[exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}, ${Math.round(result.durationMs)} ms]`,
      '',
    ].filter((line, i) => i === 0 || line !== '');
    await this.ready;
    await appendFile(this.file, redact(lines.join('\n') + '\n', secrets));
  }
}

export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[secret]');
  }
  return out;
}

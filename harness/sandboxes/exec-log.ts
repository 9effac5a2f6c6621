/**
 * The transcript of what ran in a sandbox (logs/exec.log), with secret values blotted out: the run's
 * secrets (its redactor) and the values of each command's own environment.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redactor } from '../secrets/redactor.ts';
import type { ExecResult } from './sandbox.ts';

export class ExecLog {
  private readonly file: string;
  private readonly redactor: Redactor;
  private ready: Promise<unknown>;

  constructor(logDir: string, redactor: Redactor = new Redactor()) {
    this.file = path.join(logDir, 'exec.log');
    this.redactor = redactor;
    this.ready = mkdir(logDir, { recursive: true });
  }

  async record(command: string, result: ExecResult, env: Record<string, string> = {}): Promise<void> {
    const lines = [
      `$ ${command}`,
      result.stdout.trimEnd(),
      result.stderr ? `[stderr]\n${result.stderr.trimEnd()}` : '',
      `[exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}, ${Math.round(result.durationMs)} ms]`,
      '',
    ].filter((line, i) => i === 0 || line !== '');
    await this.ready;
    await appendFile(this.file, this.redactor.with(env).text(lines.join('\n') + '\n'));
  }
}

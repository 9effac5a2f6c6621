/** text: a restored text file (a configuration, an export) against an expected copy; a unified diff when they differ. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import { readInside, UnsafePathError } from '../manifest/safe-open.ts';
import type { TextCheckSpec } from '../scenario/schema.ts';
import { checkResult, type Check, type CheckContext, type CheckDetailsOf, type CheckResultOf, type Finding } from './check.ts';
import { unifiedDiff } from './unified-diff.ts';

const MAX_BYTES = 16 * 1024 * 1024;

export class TextCheck implements Check<'text'> {
  readonly kind = 'text';
  readonly phase = 'verify';
  readonly name: string;
  private readonly spec: TextCheckSpec;
  private readonly expectedFile: string;

  constructor(spec: TextCheckSpec, expectedFile: string) {
    this.spec = spec;
    this.expectedFile = expectedFile;
    this.name = spec.name ?? `${spec.path} matches ${path.basename(expectedFile)}`;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'text'>> {
    const started = context.clock.monotonic();
    const expected = await readFile(this.expectedFile, 'utf8').catch(() => {
      throw new InputError('EXPECTED_FILE_MISSING', `The expected copy ${this.expectedFile} (expect.text expected) cannot be read.`);
    });
    const findings: Finding[] = [];
    const details: CheckDetailsOf['text'] = { path: this.spec.path, expected: this.expectedFile };
    const read = await this.readRestored(context);
    if ('refused' in read) findings.push(read.refused);
    else if ('tooLarge' in read) findings.push({ rule: 'too-large', subject: this.spec.path, message: `${this.spec.path} is larger than 16 MiB: compare it with a files manifest instead` });
    else if (read.bytes.toString('utf8') !== expected) {
      const text = read.bytes.toString('utf8');
      details.diff = unifiedDiff(path.basename(this.expectedFile), this.spec.path, expected, text);
      const changed = details.diff.split('\n').filter((l) => /^[-+](?![-+]{2})/.test(l)).length;
      findings.push({ rule: 'changed', subject: this.spec.path, message: `${this.spec.path} differs from ${path.basename(this.expectedFile)} (${changed} changed line${changed === 1 ? '' : 's'}, diff below)` });
    }
    return checkResult(this, context.clock, { findings, passed: `${this.spec.path} is as expected`, startedAt: started, details });
  }

  /** The restored file, read only when it is a regular file inside the restore (never a link, FIFO or device). */
  private async readRestored(context: CheckContext): Promise<{ bytes: Buffer } | { tooLarge: number } | { refused: Finding }> {
    const subject = this.spec.path;
    try {
      return await readInside(context.sandbox.hostRestoreDir, subject, { maxBytes: MAX_BYTES, signal: context.signal });
    } catch (err) {
      if (context.signal.aborted) throw err;
      if (err instanceof UnsafePathError) {
        const message = err.code === 'NOT_REGULAR' ? `${subject} ${err.message}` : err.message;
        return { refused: { rule: err.code === 'NOT_REGULAR' ? 'not-a-file' : 'outside-restore', subject, message } };
      }
      return { refused: { rule: 'missing', subject, message: `${subject} was not restored` } };
    }
  }
}

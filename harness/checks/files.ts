/** files: the restored tree against a sha256sum manifest: missing, changed, extra, unreadable. */
import path from 'node:path';
import { access } from 'node:fs/promises';
import { BackupError } from '../errors.ts';
import { compareTree, type Difference } from '../manifest/compare.ts';
import { folderInside } from '../manifest/safe-open.ts';
import type { FilesCheckSpec } from '../scenario/schema.ts';
import { formatBytes } from '../units.ts';
import { checkResult, FindingList, type Check, type CheckContext, type CheckResult, type Finding } from './check.ts';

export class FilesCheck implements Check {
  readonly kind = 'files';
  readonly phase = 'verify';
  readonly name: string;
  private readonly spec: FilesCheckSpec;
  private readonly manifestFile: string;

  constructor(spec: FilesCheckSpec, manifestFile: string) {
    this.spec = spec;
    this.manifestFile = manifestFile;
    this.name = `files match ${path.basename(manifestFile)}`;
  }

  async run(context: CheckContext): Promise<CheckResult> {
    const started = context.clock.monotonic();
    try {
      await access(this.manifestFile);
    } catch {
      throw new BackupError('MANIFEST_MISSING', `The manifest ${this.manifestFile} does not exist. Make it with "restore-drill manifest <folder> -o ${this.manifestFile}".`);
    }
    const findings = new FindingList();
    const stats = await compareTree({
      manifestFile: this.manifestFile,
      root: await folderInside(context.sandbox.hostRestoreDir, this.spec.path, 'expect.files.path'),
      pool: context.pool,
      extra: this.spec.extra,
      onDifference: (d) => findings.add(findingOf(d)),
      onProgress: context.onProgress,
      signal: context.signal,
    });
    return checkResult(this, context.clock, {
      findings: findings.sample,
      findingCount: findings.count,
      passed: `${stats.verifiedFiles} files (${formatBytes(stats.verifiedBytes)}) match the manifest`,
      failed: `${findings.count} of ${stats.expectedFiles} files differ from the manifest: ${summarize(findings.sample)}`,
      startedAt: started,
      details: { ...stats, manifest: this.manifestFile, extra: this.spec.extra },
    });
  }
}

function findingOf(d: Difference): Finding {
  switch (d.kind) {
    case 'missing':
      return { rule: 'missing', subject: d.path, message: `${d.path} is missing${d.message ?? ''}`, expected: d.expected };
    case 'changed':
      return {
        rule: 'changed',
        subject: d.path,
        message: `${d.path} changed: expected sha256 ${d.expected!.digest}, got ${d.actual!.digest} (${d.actual!.size} bytes)`,
        expected: d.expected,
        actual: d.actual,
      };
    case 'extra':
      return { rule: 'extra', subject: d.path, message: `${d.path} is not in the manifest` };
    case 'not-regular':
      return { rule: 'not-a-file', subject: d.path, message: `${d.path} ${d.message}`, expected: d.expected };
    case 'unreadable':
      return { rule: 'unreadable', subject: d.path, message: `${d.path} could not be read: ${d.message}`, expected: d.expected };
  }
}

function summarize(sample: Finding[]): string {
  const shown = sample.slice(0, 3).map((f) => `${f.rule} ${f.subject}`);
  return shown.join(', ') + (sample.length > 3 ? ', ...' : '');
}

/** files: the restored tree against a sha256sum manifest: missing, changed, extra, unreadable. */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { compareTree, type Difference } from '../manifest/compare.ts';
import { readManifestLines } from '../manifest/manifest-file.ts';
import { folderInside } from '../manifest/safe-open.ts';
import type { FilesCheckSpec } from '../scenario/schema.ts';
import { formatBytes } from '../units.ts';
import { checkResult, FindingList, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';
import { hostFile, type ExpectedManifest, type ManifestLocator } from './expected-manifest.ts';

export class FilesCheck implements Check<'files'> {
  readonly kind = 'files';
  readonly phase = 'verify';
  readonly name: string;
  private readonly spec: FilesCheckSpec;
  private readonly manifest: ManifestLocator;

  /** `manifest`: where the manifest comes from (expected-manifest.ts), or a plain file on this host. */
  constructor(spec: FilesCheckSpec, manifest: ManifestLocator | string) {
    this.spec = spec;
    this.manifest = typeof manifest === 'string' ? hostFile(manifest) : manifest;
    this.name = `files match ${this.manifest.name}`;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'files'>> {
    const started = context.clock.monotonic();
    const restoreDir = context.sandbox.hostRestoreDir;
    const manifest = await this.manifest.locate({ point: context.points?.current, restoreDir, comparedPath: this.spec.path, signal: context.signal });
    try {
      return await this.compare(context, started, manifest);
    } finally {
      await manifest.dispose();
    }
  }

  private async compare(context: CheckContext, started: number, manifest: ExpectedManifest): Promise<CheckResultOf<'files'>> {
    const root = await folderInside(context.sandbox.hostRestoreDir, this.spec.path, 'expect.files.path');
    if (!(await stat(root).then((info) => info.isDirectory(), () => false))) return this.folderMissing(context, started, manifest);
    const findings = new FindingList();
    const stats = await compareTree({
      manifestFile: manifest.file,
      manifestName: manifest.shown,
      exclude: manifest.excluded === undefined ? undefined : new Set([manifest.excluded]),
      root,
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
      details: { ...stats, manifest: manifest.shown, extra: this.spec.extra },
    });
  }

  /** The folder the manifest describes is not in the restore: a FAIL, every file of the manifest missing. */
  private async folderMissing(context: CheckContext, started: number, manifest: ExpectedManifest): Promise<CheckResultOf<'files'>> {
    const findings = new FindingList();
    const folder = this.spec.path;
    findings.add({ rule: 'missing', subject: folder, message: `the folder ${folder} (expect.files.path) is not in the restore` });
    let expectedFiles = 0;
    for await (const entry of readManifestLines(manifest.file, manifest.shown)) {
      context.signal.throwIfAborted();
      expectedFiles++;
      findings.add({ rule: 'missing', subject: path.posix.join(folder, entry.relative), message: `${entry.relative} is missing`, expected: { digest: entry.digest } });
    }
    return checkResult(this, context.clock, {
      findings: findings.sample,
      findingCount: findings.count,
      passed: '',
      failed: `the folder ${folder} is not in the restore: all ${expectedFiles} files of the manifest are missing (is expect.files.path right?)`,
      startedAt: started,
      details: { expectedFiles, verifiedFiles: 0, verifiedBytes: 0, extraFiles: 0, differences: expectedFiles, manifest: manifest.shown, extra: this.spec.extra },
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

/** `restore-drill manifest`: loaded only when it runs (commands/manifest.ts declares it). */
import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { writeManifest } from '../manifest/create.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { exclusion, writeManifestFile } from '../manifest/write-file.ts';
import { formatBytes } from '../units.ts';
import { onInterrupt } from './interrupt.ts';

export interface ManifestFlags {
  output?: string;
  exclude: string[];
}

export async function manifestCommand(dir: string, flags: ManifestFlags): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
  await using pool = new HashPool();
  if (!flags.output) {
    await writeManifest(dir, process.stdout, pool, undefined, undefined, exclusion(flags.exclude.map((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''))));
    return;
  }
  const interrupt = onInterrupt(() => process.stderr.write(`restore-drill: interrupted: ${flags.output} is not written\n`));
  try {
    const stats = await writeManifestFile(dir, flags.output, pool, { exclude: flags.exclude, signal: interrupt.signal });
    process.stderr.write(`${flags.output}: ${stats.files} files, ${formatBytes(stats.bytes)}\n`);
  } catch (err) {
    const code = interrupt.exitCode();
    if (code === undefined) throw err;
    process.exitCode = code;
  } finally {
    interrupt.dispose();
  }
}

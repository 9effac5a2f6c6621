import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { writeManifest } from '../../manifest/create.ts';
import { HashPool } from '../../manifest/hash-pool.ts';
import { exclusion, writeManifestFile } from '../../manifest/write-file.ts';
import { formatBytes } from '../../units.ts';
import { onInterrupt } from '../interrupt.ts';

export function registerManifest(program: Command): void {
  program
    .command('manifest')
    .description('write the expected state of a folder in sha256sum format (sorted by path; "sha256sum -c" in the folder accepts it)')
    .argument('<dir>', 'the folder to describe (regular files only)')
    .option('-o, --output <file>', 'write to this file instead of stdout, atomically (a temporary file renamed: never half a manifest); inside <dir>, it leaves itself out')
    .option('--exclude <path>', 'leave this path out (relative to <dir>; a folder leaves out all below it); repeatable', (value: string, list: string[]) => [...list, value], [])
    .action(async (dir: string, flags: { output?: string; exclude: string[] }) => {
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
    });
}

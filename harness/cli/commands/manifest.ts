import { createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { writeManifest } from '../../manifest/create.ts';
import { HashPool } from '../../manifest/hash-pool.ts';
import { formatBytes } from '../../units.ts';

export function registerManifest(program: Command): void {
  program
    .command('manifest')
    .description('write the expected state of a folder in sha256sum format (sorted by path; "sha256sum -c" in the folder accepts it)')
    .argument('<dir>', 'the folder to describe (regular files only)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (dir: string, flags: { output?: string }) => {
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
      await using pool = new HashPool();
      const temporary = flags.output ? `${flags.output}.partial` : undefined;
      const out = temporary ? createWriteStream(temporary) : process.stdout;
      const stats = await writeManifest(dir, out, pool);
      if (temporary) {
        out.end();
        await finished(out);
        await rename(temporary, flags.output!);
        process.stderr.write(`${flags.output}: ${stats.files} files, ${formatBytes(stats.bytes)}\n`);
      }
    });
}

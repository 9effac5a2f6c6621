import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { compareTree } from '../../manifest/compare.ts';
import { HashPool } from '../../manifest/hash-pool.ts';
import { formatBytes } from '../../units.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check a folder against a sha256sum-format manifest (missing, changed, extra files), without a drill')
    .argument('<dir>', 'the folder to check')
    .argument('<manifest>', 'the manifest (as written by "restore-drill manifest" or sha256sum)')
    .option('--extra <mode>', 'files the manifest does not list: forbid or allow', 'forbid')
    .option('--workers <n>', 'hashing threads (default: one per core)')
    .action(async (dir: string, manifest: string, flags: { extra: string; workers?: string }) => {
      if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
      if (flags.extra !== 'forbid' && flags.extra !== 'allow') throw new UsageError(`--extra must be forbid or allow, got '${flags.extra}'`);
      const workers = flags.workers === undefined ? undefined : Number(flags.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) throw new UsageError(`--workers must be a whole number of 1 or more`);
      await using pool = new HashPool({ workers });
      let differences = 0;
      const stats = await compareTree({
        manifestFile: manifest,
        root: dir,
        pool,
        extra: flags.extra,
        onDifference: (d) => {
          differences++;
          const detail = d.kind === 'changed' ? `: expected ${d.expected!.digest}, got ${d.actual!.digest}` : d.kind === 'missing' ? (d.message ?? '') : d.message ? `: ${d.message}` : '';
          process.stdout.write(`${d.kind.toUpperCase()} ${d.path}${detail}\n`);
        },
      });
      process.stderr.write(`${stats.verifiedFiles} files (${formatBytes(stats.verifiedBytes)}) verified, ${differences} difference${differences === 1 ? '' : 's'}\n`);
      process.exitCode = differences === 0 ? 0 : 1;
    });
}

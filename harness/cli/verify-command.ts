/** `restore-drill verify`: a folder against a manifest, loaded only when verify runs (commands/verify.ts declares it). */
import { stat } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import { compareTree, type Difference } from '../manifest/compare.ts';
import { HashPool } from '../manifest/hash-pool.ts';
import { formatBytes } from '../units.ts';

export interface VerifyFlags {
  extra: string;
  workers?: string;
}

/** Prints each difference on stdout and a summary on stderr; the exit code: 0 none, 1 some. */
export async function verifyCommand(dir: string, manifest: string, flags: VerifyFlags): Promise<number> {
  if (flags.extra !== 'forbid' && flags.extra !== 'allow') throw new UsageError(`--extra must be forbid or allow, got '${flags.extra}'`);
  const workers = flags.workers === undefined ? undefined : Number(flags.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) throw new UsageError(`--workers must be a whole number of 1 or more`);
  // The workers load while the folder is looked at.
  await using pool = new HashPool({ workers });
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
  let differences = 0;
  const stats = await compareTree({
    manifestFile: manifest,
    root: dir,
    pool,
    extra: flags.extra,
    onDifference: (d) => {
      differences++;
      process.stdout.write(`${d.kind.toUpperCase()} ${d.path}${detailOf(d)}\n`);
    },
  });
  process.stderr.write(`${stats.verifiedFiles} files (${formatBytes(stats.verifiedBytes)}) verified, ${differences} difference${differences === 1 ? '' : 's'}\n`);
  return differences === 0 ? 0 : 1;
}

function detailOf(d: Difference): string {
  if (d.kind === 'changed') return `: expected ${d.expected!.digest}, got ${d.actual!.digest}`;
  if (d.kind === 'missing') return d.message ?? '';
  return d.message ? `: ${d.message}` : '';
}

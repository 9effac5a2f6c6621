/**
 * Verifies a tree against a manifest and prints the time and this process's peak memory (workers
 * included). Peak memory is VmHWM from /proc: getrusage's maxrss would carry over the high-water mark
 * of the parent that forked this process, whatever this process used.
 */
import { readFileSync } from 'node:fs';
import { compareTree } from '../harness/manifest/compare.ts';
import { HashPool } from '../harness/manifest/hash-pool.ts';

const [root, manifest] = process.argv.slice(2);
const started = performance.now();
await using pool = new HashPool();
let differences = 0;
const stats = await compareTree({ manifestFile: manifest!, root: root!, pool, extra: 'forbid', onDifference: () => differences++ });
process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssBytes: peakResidentBytes(), files: stats.verifiedFiles, differences }) + '\n');

function peakResidentBytes(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

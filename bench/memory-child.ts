/** Verifies a tree against a manifest and prints the time and this process's peak memory (workers included). */
import { compareTree } from '../harness/manifest/compare.ts';
import { HashPool } from '../harness/manifest/hash-pool.ts';

const [root, manifest] = process.argv.slice(2);
const started = performance.now();
await using pool = new HashPool();
let differences = 0;
const stats = await compareTree({ manifestFile: manifest!, root: root!, pool, extra: 'forbid', onDifference: () => differences++ });
process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssBytes: process.resourceUsage().maxRSS * 1024, files: stats.verifiedFiles, differences }) + '\n');

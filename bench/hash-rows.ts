/**
 * Verification and hashing against the plain tools: `verify` against the parallel openssl pipeline,
 * and hash throughput against `openssl speed -multi <cores>` (bytes in memory, nothing read), with the
 * split that says where the gap is: the hash pool alone on the large files (no process start, no
 * small files), and `xargs -P<cores> openssl dgst` on the same files (the ceiling for a reader of files).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { HashPool } from '../harness/manifest/hash-pool.ts';
import { bestOf, timeCommand, type Timed } from './measure.ts';
import { opensslHashFiles, opensslSpeed, opensslVerify, sha256sumVerify } from './plain.ts';
import { atMost, MIB, seconds, type Row } from './row.ts';

export interface HashBench {
  work: string;
  tree: string;
  manifest: string;
  totalBytes: number;
  runs: number;
  cores: number;
  cli: string;
}

const rate = (bytes: number, ms: number) => bytes / (ms / 1000);
const mibs = (bytesPerSecond: number) => `${(bytesPerSecond / MIB).toFixed(0)} MiB/s`;

/** The rows, and how long `verify` of the tree took (for the manifest row). */
export async function hashRows(bench: HashBench): Promise<{ rows: Row[]; verifyMs: number }> {
  const ours = await bestOf(bench.runs, () => timeCommand(process.execPath, [bench.cli, 'verify', bench.tree, bench.manifest], { env: { CI: '1' } }));
  const start = await bestOf(bench.runs, () => timeCommand(process.execPath, [bench.cli, '--version']));
  // Node's own start, which no code of ours can shorten: the floor under restore-drill's.
  const nodeStart = await bestOf(bench.runs, () => timeCommand(process.execPath, ['-e', '0']));
  const best = await bestOf(bench.runs, () => opensslVerify(bench.tree, bench.manifest, bench.cores, path.join(bench.work, 'plain-digests')));
  const usual = await bestOf(bench.runs, () => sha256sumVerify(bench.tree, bench.manifest));

  const large = await largeFiles(bench.tree);
  const pool = await poolAlone(large.files, bench.runs);
  const openssl = await bestOf(bench.runs, () => opensslHashFiles(large.files, bench.cores));
  const limit = await opensslSpeed(bench.cores);
  const oursRate = rate(bench.totalBytes, ours.ms);
  const poolRate = rate(large.bytes, pool.ms);
  const opensslRate = rate(large.bytes, openssl.ms);
  const ofLimit = (r: number) => (limit ? ` (${(r / limit).toFixed(2)} of openssl speed)` : '');
  const against = (name: string, r: number, split?: string): Row => ({
    name,
    ours: mibs(r),
    plain: limit ? `openssl speed -elapsed -multi ${bench.cores}: ${mibs(limit)}` : 'n/a',
    ratio: limit ? r / limit : undefined,
    target: '>= 0.75',
    met: limit ? r / limit >= 0.75 : undefined,
    split,
  });
  const rows = [
    atMost('verify of the tree', ours.ms, best.ms, 1.0, {
      ours: `${seconds(ours.ms)} (${mibs(oursRate)})`,
      plain: `${seconds(best.ms)} (xargs -P${bench.cores} openssl dgst + compare)`,
      sha256sum: `${seconds(usual.ms)} (ratio ${(ours.ms / usual.ms).toFixed(2)})`,
      split: `Node's own start (node -e 0) ${seconds(nodeStart.ms)}, restore-drill's (--version) ${seconds(start.ms)}; hashing the large files alone: pool ${seconds(pool.ms)}, openssl ${seconds(openssl.ms)}`,
    }),
    against(`hash throughput, the verify command`, oursRate, `start ${seconds(start.ms)} (Node's own ${seconds(nodeStart.ms)}) of ${seconds(ours.ms)}; the large files alone: pool ${mibs(poolRate)}${ofLimit(poolRate)}, xargs -P${bench.cores} openssl dgst ${mibs(opensslRate)}${ofLimit(opensslRate)}`),
    against(`hash throughput, the pool alone (${large.files.length} large files, workers started)`, poolRate),
    atMost('the pool against xargs -P openssl dgst, the same large files', pool.ms, openssl.ms, 1.0, {
      ours: `${seconds(pool.ms)} (${mibs(poolRate)})`,
      plain: `${seconds(openssl.ms)} (${mibs(opensslRate)})`,
      split: 'above 1.0, handing large files to openssl dgst would win',
    }),
  ];
  return { rows, verifyMs: ours.ms };
}

async function largeFiles(tree: string): Promise<{ files: string[]; bytes: number }> {
  const dir = path.join(tree, 'large');
  const files = (await readdir(dir)).map((n) => path.join(dir, n));
  const bytes = (await Promise.all(files.map((f) => stat(f)))).reduce((sum, s) => sum + s.size, 0);
  return { files, bytes };
}

/** The pool hashing the files, its workers already started (the start is paid once per run). */
async function poolAlone(files: string[], runs: number): Promise<Timed> {
  await using pool = new HashPool();
  await Promise.all(files.map((f) => pool.hash(f)));
  return await bestOf(runs, async () => {
    const started = performance.now();
    await Promise.all(files.map((f) => pool.hash(f)));
    return { ms: performance.now() - started, code: 0, stdout: '', stderr: '' };
  });
}

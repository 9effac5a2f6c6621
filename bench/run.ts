/**
 * npm run bench: restore-drill against the plain tools, side by side in one run, as ratios.
 * Options: --size-mb N (default 1024), --small-files N (4000), --memory-files N (200000; the target
 * is stated for 1000000), --memory-files-large N (0: not run; the 512 MiB target is for 10000000), --sparse-gb N (20), --runs N (2), --quick (small sizes, for a smoke run).
 */
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { mkdir, mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { HashPool } from '../harness/manifest/hash-pool.ts';
import { readManifestSorted } from '../harness/manifest/manifest-file.ts';
import { planDataset, writeDataset, writeManyFiles } from './dataset.ts';
import { bestOf, timeCommand, warmCache } from './measure.ts';
import { hashRows } from './hash-rows.ts';
import { resticDrillRow, tarDrillRow } from './drill-rows.ts';
import { MIB, printTable, seconds, type Row } from './row.ts';
import { manyFilesPlace } from './many-files-place.ts';
import type { MemoryRun } from './memory-child.ts';

const REPO = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
// What `npm run drill` and the installed command start: a JavaScript entry, so that with the compile
// cache no TypeScript is stripped at start (main.ts as the entry is stripped on every start, ~40 ms).
const CLI = path.join(REPO, 'harness', 'cli', 'launch.mjs');

const { values: flags } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    'small-files': { type: 'string', default: '4000' },
    'memory-files': { type: 'string', default: '200000' },
    'memory-files-large': { type: 'string', default: '0' },
    'sparse-gb': { type: 'string', default: '20' },
    runs: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = flags.quick;
const sizeMb = quick ? 64 : Number(flags['size-mb']);
const smallFiles = quick ? 500 : Number(flags['small-files']);
const memoryFiles = quick ? 5000 : Number(flags['memory-files']);
const memoryFilesLarge = quick ? 0 : Number(flags['memory-files-large']);
const sparseGb = quick ? 1 : Number(flags['sparse-gb']);
const runs = quick ? 1 : Number(flags.runs);
const cores = availableParallelism();

const node = process.execPath;
const ours = (args: string[], cwd?: string) => timeCommand(node, [CLI, ...args], { cwd, env: { CI: '1' } });
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

const work = await mkdtemp(path.join(tmpdir(), 'rd-bench-'));
const rows: Row[] = [];
const micro: Record<string, unknown>[] = [];
try {
  const tree = path.join(work, 'tree');
  const plan = planDataset(sizeMb, smallFiles);
  log(`writing ${sizeMb} MiB: ${plan.largeFiles} files of ${(plan.largeBytes / MIB).toFixed(0)} MiB and ${plan.smallFiles} of ${(plan.smallBytes / 1024).toFixed(0)} KiB`);
  await writeDataset(tree, plan);
  const totalBytes = plan.largeFiles * plan.largeBytes + plan.smallFiles * plan.smallBytes;
  await warmCache(tree);

  // Manifest: ours against find | sort | sha256sum.
  const manifest = path.join(work, 'tree.sha256');
  const oursManifest = await bestOf(runs, () => ours(['manifest', tree, '-o', manifest]));
  const plainManifest = await bestOf(runs, () => timeCommand('sh', ['-c', 'find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > ../plain.sha256'], { cwd: tree }));

  const hashed = await hashRows({ work, tree, manifest, totalBytes, runs, cores, cli: CLI });
  rows.push(...hashed.rows);
  const oursVerifyMs = hashed.verifyMs;
  rows.push({
    name: 'manifest vs verify (ours)',
    ours: `${seconds(oursManifest.ms)} manifest`,
    plain: `${seconds(oursVerifyMs)} verify; plain find|sha256sum ${seconds(plainManifest.ms)}`,
    ratio: oursVerifyMs / oursManifest.ms,
    target: '>= 1.0 (as fast as verify)',
    met: oursVerifyMs / oursManifest.ms >= 0.95,
  });

  const drills = { work, tree, manifest, runs, cores, cli: CLI };
  rows.push(await tarDrillRow(drills));
  rows.push(await resticDrillRow(drills));
  rows.push(await provisioning());
  rows.push(...(await memory(work)));
  micro.push(...(await microBenchmarks(tree, manifest)));
} finally {
  await rm(work, { recursive: true, force: true });
}

printTable(rows);
const facts = await machineFacts();
const out = path.join(REPO, 'bench', 'results', `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify({ date: new Date().toISOString(), facts, options: { sizeMb, smallFiles, memoryFiles, memoryFilesLarge, sparseGb, runs }, rows, micro }, null, 2) + '\n');
log(`written to ${path.relative(process.cwd(), out)}`);

async function provisioning(): Promise<Row> {
  const name = 'sandbox provisioning vs docker run -d (medians)';
  const skipped = (note: string): Row => ({ name, ours: '-', plain: '-', ratio: undefined, target: '<= 1.3x', met: undefined, note });
  try {
    const { DockerSandboxDriver } = await import('../harness/sandboxes/docker.ts');
    const available = await new DockerSandboxDriver().available();
    if (!available.ok) return skipped(`skipped: ${available.reason}`);
    const { measureProvisioning, median } = await import('./docker-provision.ts');
    const times = await measureProvisioning(quick ? 3 : 7);
    const ratio = median(times.sandbox) / median(times.plain);
    return { name, ours: `${Math.round(median(times.sandbox))} ms`, plain: `${Math.round(median(times.plain))} ms`, ratio, target: '<= 1.3x', met: ratio <= 1.3 };
  } catch (err) {
    return skipped(`skipped: ${(err as Error).message}`);
  }
}

async function memory(work: string): Promise<Row[]> {
  const rows = [await manyFilesRow(work, memoryFiles, 256)];
  if (memoryFilesLarge > 0) rows.push(await manyFilesRow(work, memoryFilesLarge, 512));
  const sparse = path.join(work, 'sparse');
  await mkdir(sparse);
  await timeCommand('truncate', ['-s', `${sparseGb}G`, path.join(sparse, 'disk.img')]);
  await writeFile(path.join(sparse, 'small.txt'), 'x');
  const sparseManifest = path.join(work, 'sparse.sha256');
  log(`hashing a ${sparseGb} GiB sparse file`);
  await ours(['manifest', sparse, '-o', sparseManifest]);
  const sparseRun = await memoryRun(work, ['verify', sparse, sparseManifest]);
  const smallOnly = path.join(work, 'small-only');
  await mkdir(smallOnly);
  await writeFile(path.join(smallOnly, 'small.txt'), 'x');
  await writeFile(path.join(smallOnly, 'disk.img'), 'y');
  const smallManifest = path.join(work, 'small-only.sha256');
  await ours(['manifest', smallOnly, '-o', smallManifest]);
  const smallRun = await memoryRun(work, ['verify', smallOnly, smallManifest]);
  const growth = sparseRun.maxRssBytes - smallRun.maxRssBytes;
  return [
    ...rows,
    {
      name: `peak memory, ${sparseGb} GiB sparse file vs a 1-byte file`,
      ours: `${(sparseRun.maxRssBytes / MIB).toFixed(0)} MiB`,
      plain: `${(smallRun.maxRssBytes / MIB).toFixed(0)} MiB`,
      ratio: sparseRun.maxRssBytes / smallRun.maxRssBytes,
      target: 'flat (growth < 32 MiB)',
      met: growth < 32 * MIB,
    },
  ];
}

/** Verifies `count` empty files with the CLI as users run it (no flags) and reads its peak memory. */
async function manyFilesRow(work: string, count: number, targetMib: number): Promise<Row> {
  await using place = await manyFilesPlace(work, count);
  const many = path.join(place.path, 'many');
  const manifest = path.join(work, `many-${count}.sha256`);
  log(`writing ${count.toLocaleString('en')} empty files for the memory target`);
  const writing = performance.now();
  writeManyFiles(many, count, manifest);
  log(`written in ${((performance.now() - writing) / 1000).toFixed(0)} s; verifying`);
  const run = await memoryRun(work, ['verify', many, manifest]);
  await rm(manifest, { force: true });
  const target = count >= 10_000_000 ? '10,000,000' : '1,000,000';
  return {
    name: `peak memory verifying ${count.toLocaleString('en')} files, no flags`,
    ours: `${(run.maxRssBytes / MIB).toFixed(0)} MiB (${(run.ms / 1000).toFixed(1)} s)`,
    plain: '-',
    ratio: run.maxRssBytes / (targetMib * MIB),
    target: `<= ${targetMib} MiB (ratio to ${targetMib} MiB <= 1)`,
    met: run.maxRssBytes <= targetMib * MIB,
    note: count < 1_000_000 || (targetMib === 512 && count < 10_000_000) ? `the target names ${target} files: --memory-files${targetMib === 512 ? '-large' : ''} ${target.replace(/,/g, '')}` : undefined,
  };
}

async function memoryRun(work: string, args: string[]): Promise<MemoryRun> {
  const out = path.join(work, 'memory-run.json');
  const child = await timeCommand(node, [path.join(REPO, 'bench', 'memory-child.ts'), out, ...args], { env: { NODE_OPTIONS: '' } });
  if (child.code !== 0) throw new Error(`restore-drill ${args[0]} failed (${child.code}): ${child.stderr.slice(-500)}`);
  return JSON.parse(await readFile(out, 'utf8')) as MemoryRun;
}

async function microBenchmarks(tree: string, manifest: string): Promise<Record<string, unknown>[]> {
  const large = path.join(tree, 'large');
  const files = (await import('node:fs/promises')).readdir(large).then((names) => names.map((n) => path.join(large, n)));
  const list = await files;
  const bytes = (await Promise.all(list.map((f) => stat(f)))).reduce((sum, s) => sum + s.size, 0);
  const bench = new Bench({ iterations: quick ? 1 : 3, warmupIterations: 0, time: 0 });
  for (const workers of [...new Set([1, 2, cores])]) {
    for (const bufferSize of [64 * 1024, 1024 * 1024]) {
      bench.add(`hash ${workers} worker(s), ${bufferSize / 1024} KiB buffer`, async () => {
        const pool = new HashPool({ workers, bufferSize });
        await Promise.all(list.map((f) => pool.hash(f)));
        await pool.close();
      });
    }
  }
  bench.add('parse and sort-check the manifest', async () => {
    for await (const entry of readManifestSorted(manifest)) void entry;
  });
  log('micro-benchmarks (tinybench)');
  await bench.run();
  return bench.tasks.map((task) => {
    const mean = task.result && 'latency' in task.result ? (task.result as { latency: { mean: number } }).latency.mean : NaN;
    const row: Record<string, unknown> = { task: task.name, meanMs: Number(mean.toFixed(1)) };
    if (task.name.startsWith('hash')) row['MiB/s'] = Number((bytes / MIB / (mean / 1000)).toFixed(0));
    process.stdout.write(`  ${task.name.padEnd(40)} ${String(row.meanMs).padStart(8)} ms${row['MiB/s'] !== undefined ? `  ${row['MiB/s']} MiB/s` : ''}\n`);
    return row;
  });
}

async function machineFacts(): Promise<Record<string, string | number>> {
  const version = async (cmd: string, args: string[]) => (await timeCommand(cmd, args).catch(() => undefined))?.stdout.split('\n')[0]?.trim() ?? 'absent';
  return {
    cores,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    sha256sum: await version('sha256sum', ['--version']),
    openssl: await version('openssl', ['version']),
    tar: await version('tar', ['--version']),
    restic: await version('restic', ['version']),
    docker: await version('docker', ['version', '--format', '{{.Server.Version}}']),
  };
}

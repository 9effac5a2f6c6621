/**
 * Whole drills through the harness (tar and restic sources, the local sandbox) against the best plain
 * pipeline: `tar -x` or `restic restore`, then the parallel openssl verification; `sha256sum -c` as a
 * second column. The split comes from the drill's own result.json (its restore and verify phases) and
 * from timing the plain steps apart, in the same run.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bestOf, timeCommand, type Timed } from './measure.ts';
import { opensslVerify, sequence, sha256sumVerify } from './plain.ts';
import { atMost, seconds, type Row } from './row.ts';

export interface DrillBench {
  work: string;
  tree: string;
  manifest: string;
  runs: number;
  cores: number;
  cli: string;
}

interface DrillTimed extends Timed {
  phases: Record<string, number>;
}

interface PlainTimed extends Timed {
  restoreMs: number;
  hashMs: number;
}

export async function tarDrillRow(bench: DrillBench): Promise<Row> {
  const archive = path.join(bench.work, 'backup', 'tree.tar');
  await mkdir(path.dirname(archive), { recursive: true });
  await timeCommand('tar', ['-cf', archive, '-C', bench.tree, '.']);
  const scenario = path.join(bench.work, 'bench.yaml');
  await writeFile(scenario, `name: bench\nsource: { kind: tar, path: ${archive} }\nexpect: { files: { manifest: ${bench.manifest} } }\n`);
  const restoreInto = (into: string) => timeCommand('tar', ['-xf', archive, '-C', into]);
  return drillRow(bench, 'whole drill, tar source', 'tar -x', scenario, {}, restoreInto);
}

export async function resticDrillRow(bench: DrillBench): Promise<Row> {
  const name = 'whole drill, restic source';
  if ((await timeCommand('restic', ['version']).catch(() => undefined))?.code !== 0) {
    return { name, ours: '-', plain: '-', ratio: undefined, target: '<= 1.0x', met: undefined, note: 'skipped: restic is not installed (apt-get install restic)' };
  }
  const repo = path.join(bench.work, 'restic-repo');
  const env = { RESTIC_PASSWORD: 'bench-only-password', RESTIC_REPOSITORY: repo };
  await timeCommand('restic', ['init'], { env });
  const backup = await timeCommand('restic', ['backup', '--quiet', '.'], { cwd: bench.tree, env });
  if (backup.code !== 0) throw new Error(`restic backup failed: ${backup.stderr}`);
  // restic stores the contents of a single backed-up folder at the snapshot's root.
  const scenario = path.join(bench.work, 'bench-restic.yaml');
  await writeFile(scenario, `name: bench-restic\nsource: { kind: restic, repository: ${repo}, password_env: RESTIC_PASSWORD }\nexpect: { files: { manifest: ${bench.manifest} } }\n`);
  const restoreInto = (into: string) => timeCommand('restic', ['restore', 'latest', '--no-lock', '--target', into], { env });
  return drillRow(bench, name, 'restic restore', scenario, env, restoreInto);
}

async function drillRow(bench: DrillBench, name: string, restoreName: string, scenario: string, env: NodeJS.ProcessEnv, restoreInto: (into: string) => Promise<Timed>): Promise<Row> {
  const results = path.join(bench.work, 'results');
  const ours = await bestOf(bench.runs, async (): Promise<DrillTimed> => {
    const timed = await timeCommand(process.execPath, [bench.cli, 'run', scenario, '--sandbox', 'local', '--results', results], { env: { CI: '1', ...env } });
    return { ...timed, phases: await newestPhases(results) };
  });
  const into = path.join(bench.work, 'plain-restore');
  const plainRun = async (hash: (dir: string) => Promise<Timed>): Promise<PlainTimed> => {
    await rm(into, { recursive: true, force: true });
    await mkdir(into);
    const restore = await restoreInto(into);
    const verify = await hash(into);
    await rm(into, { recursive: true, force: true });
    return { ...sequence(restore, verify), restoreMs: restore.ms, hashMs: verify.ms };
  };
  const best = await bestOf(bench.runs, () => plainRun((dir) => opensslVerify(dir, bench.manifest, bench.cores, path.join(bench.work, 'plain-digests'))));
  const usual = await bestOf(bench.runs, () => plainRun((dir) => sha256sumVerify(dir, bench.manifest)));
  const restoreMs = ours.phases.restore ?? 0;
  const verifyMs = ours.phases.verify ?? 0;
  return atMost(name, ours.ms, best.ms, 1.0, {
    plain: `${seconds(best.ms)} (${restoreName} + xargs -P${bench.cores} openssl dgst)`,
    sha256sum: `${seconds(usual.ms)} (ratio ${(ours.ms / usual.ms).toFixed(2)})`,
    split: `ours: restore ${seconds(restoreMs)}, verify ${seconds(verifyMs)}, the rest (start, sandbox, reports) ${seconds(ours.ms - restoreMs - verifyMs)}; plain: ${restoreName} ${seconds(best.restoreMs)}, hash ${seconds(best.hashMs)}`,
  });
}

/** The phase durations of the newest drill under a results folder (result.json's phases). */
async function newestPhases(results: string): Promise<Record<string, number>> {
  let newest: { file: string; mtime: number } | undefined;
  for (const scenario of await readdir(results)) {
    const runs = await readdir(path.join(results, scenario)).catch(() => [] as string[]);
    for (const run of runs) {
      const file = path.join(results, scenario, run, 'result.json');
      const mtime = (await stat(file).catch(() => undefined))?.mtimeMs;
      if (mtime !== undefined && (!newest || mtime > newest.mtime)) newest = { file, mtime };
    }
  }
  if (!newest) return {};
  const result = JSON.parse(await readFile(newest.file, 'utf8')) as { phases?: { name: string; durationMs: number }[] };
  return Object.fromEntries((result.phases ?? []).map((p) => [p.name, p.durationMs]));
}

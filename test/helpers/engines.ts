/**
 * Real restic and borg repositories made by the tests with the tools installed on this host, and a
 * digest of a repository's whole tree (names, sizes, modes, contents) to prove a drill never wrote to it.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { writeTree } from './fixtures.ts';

/** Why a tool-based test cannot run here (the tool is missing), or undefined. */
export function toolMissing(program: string): string | undefined {
  const probe = spawnSync(program, [program === 'restic' ? 'version' : '--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${program} is not installed on this host (.ci/run installs it)`;
}

function run(program: string, args: string[], cwd: string, env: Record<string, string>): string {
  const result = spawnSync(program, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd, TZ: 'UTC', ...env } });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export const DATA_V1: Record<string, string | Buffer> = {
  'data/紹介状/紹介状_0001.txt': '紹介状 No.0001\n',
  'data/紹介状/紹介状_0002.txt': '紹介状 No.0002\n',
  'data/images/xray 1.raw': Buffer.alloc(64 * 1024, 3),
};
export const DATA_V2: Record<string, string | Buffer> = { ...DATA_V1, 'data/紹介状/紹介状_0003.txt': '紹介状 No.0003 (new)\n' };

export interface EngineRepo {
  repository: string;
  password: string;
  /** Point ids (restic snapshot ids, borg archive names), oldest first, with their times. */
  points: { id: string; time: Date }[];
}

/** A restic repository with two snapshots of `dir/data`: V1 on 2026-11-20 03:00Z, V2 on 2026-11-21 03:00Z. */
export async function makeResticRepo(dir: string, password: string): Promise<EngineRepo> {
  const repository = path.join(dir, 'restic-repo');
  const env = { RESTIC_PASSWORD: password };
  run('restic', ['init', '-q', '-r', repository], dir, env);
  const times = ['2026-11-20 03:00:00', '2026-11-21 03:00:00'];
  for (const [index, files] of [DATA_V1, DATA_V2].entries()) {
    await writeTree(dir, files);
    run('restic', ['-q', '-r', repository, 'backup', '--host', 'ward-a', '--time', times[index]!, 'data'], dir, env);
  }
  const snapshots = JSON.parse(run('restic', ['-r', repository, '--no-lock', 'snapshots', '--json'], dir, env)) as { id: string; time: string }[];
  const points = snapshots.map((s) => ({ id: s.id, time: new Date(s.time) })).sort((a, b) => a.time.getTime() - b.time.getTime());
  return { repository, password, points };
}

/** A borg repository (repokey) with two archives of `dir/data`'s contents: nightly-1 (V1), nightly-2 (V2). */
export async function makeBorgRepo(dir: string, password: string): Promise<EngineRepo> {
  const repository = path.join(dir, 'borg-repo');
  const env = { BORG_PASSPHRASE: password, BORG_BASE_DIR: path.join(dir, 'borg-home') };
  run('borg', ['init', '-e', 'repokey', repository], dir, env);
  const points = [
    { id: 'nightly-1', time: new Date('2026-11-20T03:00:00Z') },
    { id: 'nightly-2', time: new Date('2026-11-21T03:00:00Z') },
  ];
  for (const [index, files] of [DATA_V1, DATA_V2].entries()) {
    await writeTree(dir, files);
    run('borg', ['create', '--timestamp', points[index]!.time.toISOString().slice(0, 19), `${repository}::${points[index]!.id}`, 'data'], dir, env);
  }
  return { repository, password, points };
}

/** sha256 over every entry's relative path, type, size, mode and content: changes if anything is written. */
export async function treeDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const info = await lstat(full);
      hash.update(`${path.relative(root, full)}\0${info.isDirectory() ? 'd' : 'f'}\0${info.size}\0${info.mode}\0`);
      if (info.isDirectory()) await walk(full);
      else if (info.isFile()) hash.update(await readFile(full));
    }
  };
  await walk(root);
  return hash.digest('hex');
}

export function onlyResult(stdout: string): DrillResult {
  const results = (JSON.parse(stdout) as { results: DrillResult[] }).results;
  if (results.length !== 1) throw new Error(`expected one result, got ${results.length}`);
  return results[0]!;
}

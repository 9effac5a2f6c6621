/**
 * A small world for end-to-end tests: a department share with a hostile file name, a tar.gz backup of
 * it, a damaged copy, the manifest, scenario files, a signing key in a private config, and the real CLI.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { writeManifest } from '../../harness/manifest/create.ts';
import { HashPool } from '../../harness/manifest/hash-pool.ts';

export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = path.join(REPO, 'harness', 'cli', 'main.ts');

/** A file name an attacker could plant in a backup: it must reach the report as text, never markup. */
export const HOSTILE_NAME = '<img src=x onerror="document.title=1">&<script>alert(1)<script>.txt';

export interface World {
  root: string;
  results: string;
  /** Environment for the CLI: a private config with a signing key (after initKey). */
  env: NodeJS.ProcessEnv;
  scenario(name: string, body: string): Promise<string>;
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<CliOutcome>;
  dispose(): Promise<void>;
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export async function makeWorld(): Promise<World> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-test-'));
  const share = path.join(root, 'share');
  await mkdir(path.join(share, '紹介状'), { recursive: true });
  await writeFile(path.join(share, '紹介状', '紹介状_0001.txt'), '紹介状 No.0001\n傷病名: 2型糖尿病\n');
  await writeFile(path.join(share, 'billing export.csv'), 'patient_id,amount_jpy\nP100001,1200\n');
  await writeFile(path.join(share, HOSTILE_NAME), 'planted\n');
  await mkdir(path.join(root, 'backups', 'good'), { recursive: true });
  await mkdir(path.join(root, 'backups', 'damaged'), { recursive: true });
  await tar.c({ gzip: true, cwd: share, file: path.join(root, 'backups', 'good', 'share-1.tar.gz'), portable: true }, ['.']);
  {
    await using pool = new HashPool();
    const out = createWriteStream(path.join(root, 'share.sha256'));
    await writeManifest(share, out, pool);
    out.end();
    await finished(out);
  }
  // The damaged backup: the hostile file's content changed, so the finding names it.
  await writeFile(path.join(share, HOSTILE_NAME), 'PLANTED\n');
  await tar.c({ gzip: true, cwd: share, file: path.join(root, 'backups', 'damaged', 'share-1.tar.gz'), portable: true }, ['.']);

  const results = path.join(root, 'results');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RESTORE_DRILL_CONFIG: path.join(root, 'config', 'config.json'),
    RESTORE_DRILL_KEY: '',
    LANG: 'C.UTF-8',
    LC_ALL: '',
  };
  const world: World = {
    root,
    results,
    env,
    async scenario(name, body) {
      const file = path.join(root, `${name}.yaml`);
      await writeFile(file, `name: ${name}\n${body}`);
      return file;
    },
    run(args, extra = {}) {
      return new Promise((resolve) => {
        execFile(process.execPath, [CLI, ...args], { cwd: root, env: { ...env, ...extra }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
      });
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
  return world;
}

/** A scenario body restoring the good (or damaged) backup, checking the files and, if asked, readiness. */
export function shareScenario(options: { damaged?: boolean; readiness?: boolean; interval?: string; system?: string } = {}): string {
  return [
    `system: ${JSON.stringify(options.system ?? '地域連携室 共有フォルダ')}`,
    'source:',
    '  kind: tar',
    `  path: backups/${options.damaged ? 'damaged' : 'good'}/share-*.tar.gz`,
    'expect:',
    '  files:',
    '    manifest: share.sha256',
    ...(options.readiness ? ['  command:', '    - name: the letters are readable', "      run: grep -l '紹介状' 紹介状/紹介状_0001.txt", '      stdout: 紹介状_0001.txt'] : []),
    'targets:',
    '  rto: 5m',
    '  rpo: 1000d',
    ...(options.interval ? [`  drill_interval: ${options.interval}`] : []),
    '',
  ].join('\n');
}

/**
 * A small world for the evidence and report tests: a department share with a hostile file name, a
 * tar.gz backup of it, a damaged copy, the manifest, scenario files, a private configuration folder
 * for the signing key, and the real CLI.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli.ts';
import { makeArchive, makeManifest, writeTree } from './fixtures.ts';

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
  const root = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-evidence-'));
  const share = path.join(root, 'share');
  const files = { '紹介状/紹介状_0001.txt': '紹介状 No.0001\n傷病名: 2型糖尿病\n', 'billing export.csv': 'patient_id,amount_jpy\nP100001,1200\n', [HOSTILE_NAME]: 'planted\n' };
  await writeTree(share, files);
  await makeArchive(share, path.join(root, 'backups', 'good', 'share-1.tar.gz'));
  await makeManifest(share, path.join(root, 'share.sha256'));
  // The damaged backup: the hostile file's content changed, so the finding names it.
  await writeTree(share, { [HOSTILE_NAME]: 'PLANTED\n' });
  await makeArchive(share, path.join(root, 'backups', 'damaged', 'share-1.tar.gz'));

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
    async run(args, extra = {}) {
      const result = await runCli(args, { cwd: root, env: { ...env, ...extra } });
      return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
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

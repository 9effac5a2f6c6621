/**
 * Damaged restic repositories made here with real restic: the drill FAILs with the line restic said
 * that matters, not the consequences (UtimesNano on files never written) or a misworded "could not".
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { onlyResult, toolMissing } from '../helpers/engines.ts';
import { writeScenario, writeTree } from '../helpers/fixtures.ts';

const PASSWORD = 'Restic-Pw-hostile-never-logged';

/** Overwrites 1000 bytes inside a file of the repository (restic writes them read-only). */
async function damage(file: string, offset = 100): Promise<void> {
  await chmod(file, 0o600);
  await using handle = await open(file, 'r+');
  await handle.write(Buffer.alloc(1000, 0x5a), 0, 1000, offset);
}

/** A repository of one snapshot of eight files of random bytes: its data pack is its largest file. */
async function makeRepo(dir: string): Promise<string> {
  const files = Object.fromEntries(Array.from({ length: 8 }, (_, n) => [`data/scan-${n}.raw`, randomBytes(40_000)]));
  await writeTree(dir, files);
  const repository = path.join(dir, 'restic-repo');
  for (const args of [['init', '-q'], ['-q', 'backup', 'data']]) {
    const result = spawnSync('restic', ['-r', repository, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, RESTIC_PASSWORD: PASSWORD } });
    assert.equal(result.status, 0, result.stderr);
  }
  return repository;
}

async function largestPack(repository: string): Promise<string> {
  const packs: { file: string; size: number }[] = [];
  for (const dir of await readdir(path.join(repository, 'data'))) {
    for (const name of await readdir(path.join(repository, 'data', dir))) {
      const file = path.join(repository, 'data', dir, name);
      packs.push({ file, size: (await stat(file)).size });
    }
  }
  return packs.sort((a, b) => b.size - a.size)[0]!.file;
}

describe('hostile restic repositories (real restic, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  before(async function () {
    const missing = toolMissing('restic');
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    tmp = await tempDir('rd-hostile-restic-');
  });
  after(() => tmp?.remove());

  async function drill(name: string, hurt: (repository: string) => Promise<void>) {
    const dir = path.join(tmp.path, name);
    await mkdir(dir, { recursive: true });
    await hurt(await makeRepo(dir));
    const file = await writeScenario(path.join(dir, 'scenario.yaml'), `name: ${name}\nsource: { kind: restic, repository: restic-repo, password_env: RD_PW }\n`);
    const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--json', '--results', path.join(dir, 'results')], { env: { RD_PW: PASSWORD } });
    assert.doesNotMatch(stdout + stderr, new RegExp(PASSWORD));
    return { code, stderr, result: onlyResult(stdout) };
  }

  it('a damaged pack: FAIL with what restic said about it, without the UtimesNano noise', async () => {
    const { code, stderr, result } = await drill('damaged-pack', async (repository) => damage(await largestPack(repository)));
    assert.equal(code, 1, stderr);
    assert.equal(result.error?.code, 'REPOSITORY_UNREADABLE');
    assert.match(result.reason, /restic could not restore snapshot \w{8} from .*restic-repo \(exit 1\): ignoring error for \/.*ciphertext verification failed/);
    assert.doesNotMatch(result.reason, /UtimesNano/);
  });

  it('a damaged config: FAIL "could not list the snapshots of", with restic\'s own line', async () => {
    const { code, result } = await drill('damaged-config', (repository) => damage(path.join(repository, 'config'), 10));
    assert.equal(code, 1);
    assert.match(result.reason, /restic could not list the snapshots of .*restic-repo \(exit 1\): Fatal: config or key \w+ is damaged/);
  });
});

/**
 * Rotating samples against a real borg repository made here (the real CLI, local sandbox): each run
 * extracts a different part of the archive, those never restored first; the repository is left
 * exactly as it was. The restic twin is restic-rotation.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { skipBecause } from '../helpers/ci-skips.ts';
import { onlyResult, toolMissing, treeDigest } from '../helpers/engines.ts';
import { writeScenario } from '../helpers/fixtures.ts';

const PASSPHRASE = 'Borg-Rotation-Pw-19e4-never-logged';
const STUDIES = ['study-01', 'study-02', 'study-03'];

describe('rotating samples (real borg repository, local sandbox)', function () {
  this.timeout(90_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let repository: string;
  let digestBefore: string;

  before(async function () {
    const missing = toolMissing('borg');
    if (missing) skipBecause(this, missing);
    tmp = await tempDir('rd-borg-rotation-');
    repository = path.join(tmp.path, 'borg-repo');
    for (const study of STUDIES) {
      await mkdir(path.join(tmp.path, 'archive', 'dicom', study), { recursive: true });
      await writeFile(path.join(tmp.path, 'archive', 'dicom', study, '1.dcm'), `DICM ${study}\n`);
    }
    const env = { PATH: process.env.PATH, HOME: tmp.path, BORG_PASSPHRASE: PASSPHRASE, BORG_BASE_DIR: path.join(tmp.path, 'borg-home') };
    for (const args of [['init', '-e', 'repokey', repository], ['create', `${repository}::pacs-night-1`, 'archive']]) {
      const made = spawnSync('borg', args, { cwd: tmp.path, env, encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
    }
    await writeFile(path.join(tmp.path, 'passphrase.txt'), PASSPHRASE + '\n');
    digestBefore = await treeDigest(repository);
  });
  after(async () => {
    if (digestBefore) assert.equal(await treeDigest(repository), digestBefore, 'the repository was written to');
    await tmp?.remove();
  });

  it('extracts different studies on each run until all are covered', async () => {
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'pacs.yaml'),
      'name: pacs\nsource:\n  kind: borg\n  repository: ../borg-repo\n  password_file: ../passphrase.txt\n  sample: { rotate: /archive/dicom/study-*, count: 2 }\nexpect:\n  command:\n    - run: ls archive/dicom\n',
    );
    // borg names archive members without the leading slash the pattern has.
    const paths = (r: { sample?: { paths?: string[] } }) => r.sample?.paths?.map((p) => p.replace(/^\/+/, ''));
    const drill = async () => onlyResult((await runCli(['run', file, '--sandbox', 'local', '--json', '--results', path.join(tmp.path, 'results')])).stdout);
    const first = await drill();
    assert.equal(first.verdict, 'PASS', first.reason);
    assert.deepEqual(paths(first), ['archive/dicom/study-01', 'archive/dicom/study-02']);
    assert.equal(first.restored?.files, 2, 'only the two studies were extracted');
    assert.deepEqual({ covered: first.sample?.covered, candidates: first.sample?.candidates }, { covered: 2, candidates: 3 });
    const second = await drill();
    assert.equal(second.verdict, 'PASS', second.reason);
    assert.equal(paths(second)?.[0], 'archive/dicom/study-03', 'the study never restored comes first');
    assert.equal(second.sample?.covered, 3);
    assert.equal(second.sample?.share, 1);
  });
});

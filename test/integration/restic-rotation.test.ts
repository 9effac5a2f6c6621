/**
 * Rotating samples against a real restic repository made here (the real CLI, local sandbox): each run
 * restores a different part of the point, those never restored first, then those restored longest
 * ago; result.json says how much of the system drills restored in the last 12 months. A failed drill
 * covers nothing. The repository is left exactly as it was.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { onlyResult, toolMissing, treeDigest } from '../helpers/engines.ts';
import { writeScenario } from '../helpers/fixtures.ts';

const PASSWORD = 'Rotation-Pw-77c1-never-logged';
const STUDIES = ['study-01', 'study-02', 'study-03', 'study-04', 'study-05'];

describe('rotating samples (real restic repository, local sandbox)', function () {
  this.timeout(90_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;
  let digestBefore: string;
  let repository: string;

  before(async function () {
    const missing = toolMissing('restic');
    if (missing) {
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    tmp = await tempDir('rd-rotation-');
    results = path.join(tmp.path, 'results');
    repository = path.join(tmp.path, 'repo');
    // A small PACS: five studies of two images each, and a file beside them that is not a study.
    for (const study of STUDIES) {
      await mkdir(path.join(tmp.path, 'archive', 'dicom', study), { recursive: true });
      for (const image of ['1.dcm', '2.dcm']) await writeFile(path.join(tmp.path, 'archive', 'dicom', study, image), `DICM ${study} ${image}\n`);
    }
    await writeFile(path.join(tmp.path, 'archive', 'dicom', 'index.txt'), 'not a study\n');
    const env = { PATH: process.env.PATH, HOME: tmp.path, RESTIC_PASSWORD: PASSWORD };
    for (const args of [['init', '-q', '-r', repository], ['-q', '-r', repository, 'backup', '--host', 'pacs-1', 'archive']]) {
      const made = spawnSync('restic', args, { cwd: tmp.path, env, encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
    }
    digestBefore = await treeDigest(repository);
  });
  after(async () => {
    if (digestBefore) assert.equal(await treeDigest(repository), digestBefore, 'the repository was written to');
    await tmp?.remove();
  });

  const scenario = (name: string, extra = '') =>
    writeScenario(
      path.join(tmp.path, 'scenarios', `${name}.yaml`),
      `name: ${name}\nsource:\n  kind: restic\n  repository: ../repo\n  password_env: RD_ROTATION_PW\n  sample: { rotate: /archive/dicom/study-*, count: 2 }\n${extra}`,
    );
  const drill = (file: string) => runCli(['run', file, '--sandbox', 'local', '--json', '--results', results], { env: { RD_ROTATION_PW: PASSWORD } });

  it('covers different studies on each run, the coverage growing to all, then starts again with the oldest', async () => {
    const file = await scenario('pacs', 'expect:\n  command:\n    - run: ls archive/dicom\n');
    const first = onlyResult((await drill(file)).stdout);
    assert.equal(first.verdict, 'PASS', first.reason);
    assert.deepEqual(first.sample?.paths, ['/archive/dicom/study-01', '/archive/dicom/study-02']);
    assert.equal(first.restored?.files, 4, 'only the two studies were restored');
    assert.deepEqual({ covered: first.sample?.covered, candidates: first.sample?.candidates }, { covered: 2, candidates: 5 });
    assert.equal(first.sample?.share, 0.4);
    assert.ok(first.rto.forecast, 'a rotating sample forecasts the full restore');
    assert.deepEqual(first.rto.forecast!.samplePaths, first.sample!.paths);

    const second = onlyResult((await drill(file)).stdout);
    assert.deepEqual(second.sample?.paths, ['/archive/dicom/study-03', '/archive/dicom/study-04']);
    assert.equal(second.sample?.covered, 4);
    const third = onlyResult((await drill(file)).stdout);
    assert.deepEqual(third.sample?.paths, ['/archive/dicom/study-05', '/archive/dicom/study-01'], 'the last new study, then the one restored longest ago');
    assert.equal(third.sample?.covered, 5);
    assert.equal(third.sample?.share, 1);
    assert.ok(third.notes.some((n) => /sample: restoring \/archive\/dicom\/study-05, \/archive\/dicom\/study-01 \(2 of the 5 entries matching/.test(n)));
  });

  it('a drill that FAILs covers nothing: the next run takes the same studies again', async () => {
    const file = await scenario('pacs-broken', 'expect:\n  command:\n    - run: "false"\n');
    const failed = onlyResult((await drill(file)).stdout);
    assert.equal(failed.verdict, 'FAIL');
    assert.equal(failed.sample?.covered, 0);
    const again = onlyResult((await drill(file)).stdout);
    assert.deepEqual(again.sample?.paths, failed.sample?.paths);
  });

  it('FAILs naming the pattern when the point has nothing matching it', async () => {
    const file = await writeScenario(
      path.join(tmp.path, 'scenarios', 'pacs-wrong.yaml'),
      'name: pacs-wrong\nsource:\n  kind: restic\n  repository: ../repo\n  password_env: RD_ROTATION_PW\n  sample: { rotate: /archive/dicom/mri-*, count: 2 }\n',
    );
    const result = onlyResult((await drill(file)).stdout);
    assert.equal(result.verdict, 'FAIL');
    assert.equal(result.error?.code, 'SAMPLE_PATH_MISSING');
    assert.match(result.error!.message, /has nothing matching \/archive\/dicom\/mri-\* \(source\.sample\.rotate\): 6 entries in \/archive\/dicom/);
  });
});

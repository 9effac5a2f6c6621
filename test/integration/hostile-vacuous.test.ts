/**
 * The negative control through the real CLI (local sandbox, real tar archives): a check that passes on
 * an empty restore ends the drill in ERROR naming it; the files check's control catches a flipped
 * byte and a removed file without touching the restore.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';

describe('the negative control (real CLI, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;

  before(async () => {
    tmp = await tempDir('rd-control-');
    results = path.join(tmp.path, 'results');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree, { 'README.txt': 'department share\n', '紹介状/紹介状_0001.txt': '紹介状 No.0001\n傷病名: 高血圧症\n' });
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'backups', 'share.tar.gz'));
  });
  after(() => tmp.remove());

  async function drill(name: string, body: string): Promise<{ code: number | null; result: DrillResult; stdout: string }> {
    const file = await writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\nsource: { kind: tar, path: ../backups/share.tar.gz }\n${body}`);
    const { code, stdout } = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json']);
    const [result] = (JSON.parse(stdout) as { results: DrillResult[] }).results;
    return { code, result: result!, stdout };
  }

  it('a scenario whose only check is command: true ends in ERROR (exit 3) naming the vacuous check', async () => {
    const { code, result } = await drill('only-true', 'expect:\n  command:\n    - run: "true"\n');
    assert.equal(code, 3);
    assert.equal(result.verdict, 'ERROR');
    assert.equal(result.error?.code, 'CHECK_VACUOUS');
    assert.match(result.reason, /the command check "true" passed on an empty restore: its command succeeds without the restored data/);
    assert.match(result.reason, /negative_control: false/);
    assert.deepEqual(result.checks.map((c) => c.status), ['pass'], 'the check itself passed on the restore');
    const onDisk = JSON.parse(await readFile(path.join(result.resultsDir, 'result.json'), 'utf8')) as DrillResult;
    assert.equal(onDisk.negativeControl?.status, 'vacuous');
    assert.match(await readFile(path.join(result.resultsDir, 'junit.xml'), 'utf8'), /name="negative control"[^>]*>\s*<error /);
    assert.match(await readFile(path.join(result.resultsDir, 'report.html'), 'utf8'), /data-status="vacuous"/);
  });

  it('the same scenario with negative_control: false PASSes, the control shown as off', async () => {
    const { code, result } = await drill('only-true-accepted', 'negative_control: false\nexpect:\n  command:\n    - run: "true"\n');
    assert.equal(code, 0, result.reason);
    assert.equal(result.negativeControl?.status, 'off');
    assert.ok(!result.phases.some((p) => p.name === 'control'));
  });

  it('a normal tar scenario PASSes; its files control caught a flipped byte and a removed file', async () => {
    const { code, result } = await drill('share', 'expect:\n  files: { manifest: ../expected/share.sha256 }\n  command:\n    - run: grep -q 高血圧症 紹介状/紹介状_0001.txt\n');
    assert.equal(code, 0, result.reason);
    assert.equal(result.negativeControl?.status, 'passed');
    const [files, command] = result.negativeControl!.checks;
    assert.equal(files!.status, 'proven');
    assert.match(files!.summary, /README\.txt with byte \d+ flipped \(changed\) and 紹介状\/紹介状_0001\.txt removed \(missing\)/);
    assert.equal(command!.status, 'proven');
    assert.match(command!.summary, /did not pass on an empty restore: exited [12]/);
    const control = result.phases.find((p) => p.name === 'control')!;
    assert.equal(control.status, 'passed');
    assert.ok(result.rto.actualMs !== undefined);
  });
});

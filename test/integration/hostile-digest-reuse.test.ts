/**
 * Digests taken while restoring, reused by the files check (real CLI, local sandbox): a tar or
 * directory drill reads no file twice, and a restore step that changes a file afterwards (one byte,
 * same size, its modification time put back) is caught: that file is read and hashed again and FAILs.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { onlyResult } from '../helpers/engines.ts';
import { makeArchive, makeManifest, SAMPLE_FILES, writeScenario, writeTree } from '../helpers/fixtures.ts';

const FILES = Object.keys(SAMPLE_FILES).length;

describe('hostile: digests reused from the restore stay honest', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    tmp = await tempDir('rd-digests-');
    const tree = path.join(tmp.path, 'snapshots', 'day-1');
    await writeTree(tree);
    await makeArchive(tree, path.join(tmp.path, 'backup', 'share.tar'));
    await makeManifest(tree, path.join(tmp.path, 'share.sha256'));
    await mkdir(path.join(tmp.path, 'scenarios'), { recursive: true });
  });
  after(async () => tmp?.remove());

  const drill = async (name: string, yaml: string): Promise<DrillResult> => {
    const file = await writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\n${yaml}expect: { files: { manifest: ../share.sha256 } }\n`);
    return onlyResult((await runCli(['run', file, '--sandbox', 'local', '--json', '--results', path.join(tmp.path, 'results')])).stdout);
  };
  const filesCheck = (result: DrillResult) => result.checks.find((c) => c.kind === 'files')! as { status: string; details?: { reusedDigests: number; verifiedFiles: number } };

  it('a tar drill PASSes with every file\'s digest taken while extracting (none read again)', async () => {
    const result = await drill('tar-reuse', 'source: { kind: tar, path: ../backup/share.tar }\n');
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(filesCheck(result).details?.verifiedFiles, FILES);
    assert.equal(filesCheck(result).details?.reusedDigests, FILES);
  });

  it('a directory drill PASSes with every file\'s digest taken while copying', async () => {
    const result = await drill('dir-reuse', 'source: { kind: directory, path: ../snapshots/day-1 }\n');
    assert.equal(result.verdict, 'PASS', result.reason);
    assert.equal(filesCheck(result).details?.reusedDigests, FILES);
  });

  it('a restore step flipping a byte (same size, mtime put back) FAILs: that file is hashed again', async () => {
    const step = 'f=a/b.txt; t=$(stat -c %Y $f); printf X | dd of=$f conv=notrunc status=none; touch -d @$t $f';
    const result = await drill('tar-flip', `source: { kind: tar, path: ../backup/share.tar }\nrestore:\n  - run: '${step}'\n`);
    assert.equal(result.verdict, 'FAIL', result.reason);
    const check = filesCheck(result);
    assert.equal(check.status, 'fail');
    assert.match(JSON.stringify(result.checks), /a\/b\.txt changed/);
    assert.equal(check.details?.reusedDigests, FILES - 1);
  });
});

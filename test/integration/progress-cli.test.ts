/** Progress on the console: live on a terminal only; a run whose stderr is a pipe or a log prints no progress lines. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';

describe('restore-drill run: progress when stderr is not a terminal', function () {
  this.timeout(60_000);

  it('prints the phases but no progress lines (files, bytes, rate) on a pipe', async () => {
    const tmp = await tempDir('rd-progress-');
    try {
      const tree = path.join(tmp.path, 'share');
      await writeTree(tree);
      await makeManifest(tree, path.join(tmp.path, 'expected.sha256'));
      await makeArchive(tree, path.join(tmp.path, 'backups', 'share.tar'));
      const file = await writeScenario(path.join(tmp.path, 'scenarios', 'share.yaml'), 'name: share\nsource: { kind: tar, path: ../backups/share.tar }\nexpect: { files: { manifest: ../expected.sha256 } }\n');
      for (const env of [{ CI: '1' }, { CI: '' }]) {
        const { code, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', path.join(tmp.path, 'results')], { env: { ...env, RESTORE_DRILL_CONFIG: path.join(tmp.path, 'config.json') } });
        assert.equal(code, 0, stderr);
        assert.match(stderr, /share: restoring\n/, 'the phases are still said');
        assert.doesNotMatch(stderr, /\d+ files, |\/s\b| left\b/, stderr);
      }
    } finally {
      await tmp.remove();
    }
  });
});

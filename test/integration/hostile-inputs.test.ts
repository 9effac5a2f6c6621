/**
 * Hostile and careless input through the real CLI: each gets a precise verdict or exit code and a
 * message that names what to fix, never a stack trace, and nothing is left behind.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { onlyResult } from '../helpers/engines.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { billionLaughs } from '../helpers/yaml-attacks.ts';

const STACK_LINE = /^\s+at /m;

describe('hostile and careless input (real CLI, local sandbox)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    tmp = await tempDir('rd-hostile-');
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree, { 'README.txt': 'department share\n', 'docs/a.txt': 'a\n' });
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'backups', 'share.tar'));
  });
  after(() => tmp.remove());

  const scenario = (dir: string, name: string, body: string) => writeScenario(path.join(tmp.path, dir, `${name}.yaml`), `name: ${name}\n${body}`);
  const good = 'source: { kind: tar, path: ../backups/share.tar }\n';
  const results = () => path.join(tmp.path, 'results');

  it('run DIR: a billion-laughs file is exit 65 with its position, and no drill runs', async () => {
    await scenario('laughs', 'good', good);
    await writeFile(path.join(tmp.path, 'laughs', 'laughs.yaml'), billionLaughs());
    const started = Date.now();
    const { code, stdout, stderr } = await runCli(['run', path.join(tmp.path, 'laughs'), '--sandbox', 'local', '--results', results()], { cwd: tmp.path });
    assert.equal(code, 65, stdout + stderr);
    assert.ok(Date.now() - started < 15_000);
    assert.match(stderr, /laughs[/]laughs\.yaml:2:10 YAML: the aliases expand to more than 100/);
    assert.doesNotMatch(stderr, STACK_LINE);
    assert.doesNotMatch(stdout, /PASS/, 'no drill ran: every scenario is validated first');
  });

  it('an undefined alias and an unknown tag are exit 65 with their positions', async () => {
    const file = await scenario('alias', 'alias', `${good}description: *nope\nsystem: !foo x\n`);
    const { code, stderr } = await runCli(['validate', file], { cwd: tmp.path });
    assert.equal(code, 65, stderr);
    assert.match(stderr, /alias\.yaml:3:14 YAML: the alias \*nope names no anchor/);
    assert.match(stderr, /alias\.yaml:4:9 YAML: the tag !foo is not allowed/);
    assert.doesNotMatch(stderr, STACK_LINE);
  });

  for (const [what, target] of [
    ['a regular file', (dir: string) => path.join(dir, 'a-file')],
    ['a folder under /proc', () => '/proc/restore-drill-results'],
  ] as const) {
    it(`--results ${what}: exit 64 naming it within seconds, nothing left behind`, async () => {
      const sandboxes = path.join(tmp.path, `tmp-${what.length}`);
      await mkdir(sandboxes, { recursive: true });
      const resultsPath = target(tmp.path);
      if (what === 'a regular file') await writeFile(resultsPath, 'not a folder\n');
      const file = await scenario('results', 'results', good);
      const started = Date.now();
      const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', resultsPath], { env: { TMPDIR: sandboxes }, timeoutMs: 20_000 });
      assert.equal(code, 64, stdout + stderr);
      assert.ok(Date.now() - started < 10_000, 'answers within seconds');
      assert.ok(stderr.includes(`--results ${resultsPath}`), stderr);
      assert.doesNotMatch(stderr, STACK_LINE);
      assert.deepEqual((await readdir(sandboxes)).filter((name) => name.startsWith('restore-drill')), [], 'no temp folder is left');
    });
  }

  it('a files check whose path is not in the backup is FAIL: every file is missing', async () => {
    const file = await scenario('missing-path', 'missing-path', `${good}expect:\n  files: { manifest: ../expected/share.sha256, path: srv/share }\n`);
    const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results(), '--json']);
    assert.equal(code, 1, stderr);
    const result = onlyResult(stdout);
    assert.equal(result.verdict, 'FAIL');
    const [check] = result.checks;
    assert.equal(check!.status, 'fail');
    assert.match(check!.summary, /the folder srv\/share is not in the restore: all 2 files of the manifest are missing/);
  });

  it('a 3-character point id prefix says an id prefix needs at least 4 characters', async () => {
    const file = await scenario('prefix', 'prefix', good);
    const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results(), '--json', '--point', 'sha']);
    assert.equal(code, 1, stderr);
    const result = onlyResult(stdout);
    assert.equal(result.error?.code, 'RESTORE_POINT_NOT_FOUND');
    assert.match(result.reason, /no restore point 'sha' \(an id prefix needs at least 4 characters\)/);
  });

  it('an empty tar archive is FAIL: the archive is empty', async () => {
    await mkdir(path.join(tmp.path, 'empty'), { recursive: true });
    for (const [name, bytes] of [['zero.tar', Buffer.alloc(0)], ['blocks.tar', Buffer.alloc(10240)]] as const) {
      await writeFile(path.join(tmp.path, 'empty', name), bytes);
      const file = await scenario('empty', name.replace('.tar', ''), `source: { kind: tar, path: ${name} }\n`);
      const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results(), '--json']);
      assert.equal(code, 1, stderr);
      const result: DrillResult = onlyResult(stdout);
      assert.equal(result.verdict, 'FAIL');
      assert.match(result.reason, new RegExp(`the archive .*${name} is empty \\((0 bytes|no entries)\\)`));
    }
  });

  it('the console summary after an interrupt gives the exit code the process exits with', async () => {
    // The check runs in the sandbox, which cannot write a host marker: its start shows on the progress display.
    const file = await scenario('interrupt', 'interrupt', `${good}expect:\n  command:\n    - { run: 'sleep 30', timeout: 60s }\n`);
    const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'local', '--results', results()], {
      onSpawn: (child) => {
        let seen = '';
        let sent = false;
        child.stderr?.on('data', (chunk: Buffer) => {
          seen = (seen + chunk.toString()).slice(-400);
          if (sent || !seen.includes('checking readiness')) return;
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        });
      },
    });
    assert.equal(code, 130, stderr);
    assert.match(stdout, /1 ERROR \(exit code 130\)/);
  });
});

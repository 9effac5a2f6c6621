/** The CI skip rule: mocha run in a child process on a tiny spec whose tests skip, with and without CI=true. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PLUGIN = path.join(REPO_ROOT, 'test', 'helpers', 'ci-skips.ts');
const MOCHA = path.join(REPO_ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

describe('skipped tests under CI=true (mocha in a child process)', function () {
  this.timeout(30_000);
  let dir: string;
  let spec: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rd-unit-ci-skips-'));
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    spec = path.join(dir, 'fixture.test.ts');
    await writeFile(
      spec,
      `import { skipBecause } from ${JSON.stringify(pathToFileURL(PLUGIN).href)};
describe('fixture', () => {
  it('runs', () => undefined);
  it('needs a frobnicator', function () { skipBecause(this, 'frobnicator is not installed'); });
});
describe('fixture suite', () => {
  before(function () { skipBecause(this, 'the image restore-drill/x is missing'); });
  it('uses the image', () => undefined);
});
`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function mocha(env: Record<string, string>, allowList = '') {
    const allowed = path.join(dir, `allowed-${Object.keys(env).join('-') || 'none'}-${allowList.length}.txt`);
    return writeFile(allowed, allowList).then(() => {
      const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, RESTORE_DRILL_CI_ALLOWED_SKIPS: allowed };
      if (!('CI' in env)) delete childEnv.CI;
      const run = spawnSync(process.execPath, [MOCHA, '--no-config', '--require', PLUGIN, '--reporter', 'dot', spec], { cwd: dir, env: childEnv, encoding: 'utf8', timeout: 25_000 });
      return { code: run.status, output: `${run.stdout}${run.stderr}` };
    });
  }

  it('fails the run naming each skipped test and its reason', async () => {
    const { code, output } = await mocha({ CI: 'true' });
    assert.notEqual(code, 0, output);
    assert.match(output, /CI=true and 2 tests were skipped that CI must run/);
    assert.match(output, /- fixture needs a frobnicator: frobnicator is not installed/);
    assert.match(output, /- fixture suite uses the image: the image restore-drill\/x is missing/);
  });

  it('outside CI lists the skipped tests and passes', async () => {
    const { code, output } = await mocha({});
    assert.equal(code, 0, output);
    assert.match(output, /2 skipped tests:\n {2}- fixture needs a frobnicator: frobnicator is not installed\n {2}- fixture suite uses the image/);
  });

  it('passes under CI=true when every skipped test is on the allow-list, saying why', async () => {
    const list = '# the fixture\'s own\nfixture needs a frobnicator # no frobnicator exists for this CI\nfixture suite uses the image # the image is never built here\n';
    const { code, output } = await mocha({ CI: 'true' }, list);
    assert.equal(code, 0, output);
    assert.match(output, /frobnicator is not installed \(allowed in CI: no frobnicator exists for this CI\)/);
  });
});

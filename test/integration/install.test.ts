/**
 * Installed like any CLI: the package is packed (`npm pack`, which builds dist/ by `prepack`), installed
 * with `npm install -g --prefix TMP`, and the installed `restore-drill` runs --help and a real drill of a
 * tar backup made here (local sandbox) on Node 24 and on Node 22. Node older than `engines` gets one line
 * and exit 64, from the installed bin and from the checkout's launcher alike.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { REPO, tempDir, type CliResult } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

/** Where .ci/run installs the npm registry's node@22 package. */
const NODE22 = path.join(os.homedir(), '.cache', 'restore-drill', 'node22', 'node_modules', '.bin', 'node');
/** The machine's own Node, older than `engines` here. */
const OLD_NODE = '/usr/bin/node';

/** Runs a command with `node` resolving to the given Node first on PATH (as a user's shell would). */
function run(command: string, args: string[], node: string, options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`, CI: '1' };
    const child = spawn(command, args, { cwd: options.cwd ?? REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function majorOf(node: string): Promise<number> {
  return run(node, ['-p', 'process.versions.node.split(".")[0]'], node).then((r) => Number(r.stdout.trim()));
}

describe('restore-drill installed from its packed tarball', function () {
  this.timeout(150_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let bin: string;
  let scenario: string;
  const distWasThere = existsSync(path.join(REPO, 'dist'));

  before(async function () {
    tmp = await tempDir('rd-install-');
    const packed = await run('npm', ['pack', '--pack-destination', tmp.path], process.execPath, { timeoutMs: 90_000 });
    assert.equal(packed.code, 0, packed.stderr);
    const [tarball] = (await readdir(tmp.path)).filter((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    const prefix = path.join(tmp.path, 'prefix');
    const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp.path, tarball)], process.execPath, { timeoutMs: 90_000 });
    assert.equal(installed.code, 0, installed.stderr);
    bin = path.join(prefix, 'bin', 'restore-drill');

    const tree = path.join(tmp.path, 'share');
    await writeTree(tree);
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await makeArchive(tree, path.join(tmp.path, 'backups', 'share-1.tar.gz'), new Date(Date.now() - 3_600_000));
    scenario = await writeScenario(path.join(tmp.path, 'scenarios', 'installed.yaml'), `name: installed
source: { kind: tar, path: ../backups/share-*.tar.gz }
expect:
  files: { manifest: ../expected/share.sha256 }
targets: { rto: 5m, rpo: 26h }
`);
  });
  after(async () => {
    await tmp?.remove();
    if (!distWasThere) await rm(path.join(REPO, 'dist'), { recursive: true, force: true });
  });

  it('ships the compiled JavaScript, its data files and no TypeScript', async () => {
    const pkg = path.join(tmp.path, 'prefix', 'lib', 'node_modules', 'restore-drill');
    for (const file of ['dist/cli/launch.mjs', 'dist/cli/main.js', 'dist/manifest/hash-worker.js', 'dist/ransomware/indicators.yaml', 'dist/reporters/compliance.json', 'scenarios/share-nightly.yaml', 'images/build.sh', 'README.md']) {
      assert.ok(existsSync(path.join(pkg, file)), `the installed package has ${file}`);
    }
    const files = await readdir(pkg, { recursive: true });
    assert.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.startsWith('node_modules')), [], 'no TypeScript file ships (Node does not strip types under node_modules)');
  });

  for (const [label, node] of [['Node 24', process.execPath], ['Node 22', NODE22]] as const) {
    it(`runs --help and a drill that PASSes on ${label}`, async function () {
      if (!existsSync(node)) skipBecause(this, `${node} is missing (.ci/run installs node@22 there)`);
      assert.equal(await majorOf(node), label === 'Node 24' ? 24 : 22);
      const help = await run(bin, ['--help'], node);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /Usage: restore-drill/);
      const results = path.join(tmp.path, `results-${label.replace(' ', '')}`);
      const drill = await run(bin, ['run', scenario, '--sandbox', 'local', '--results', results, '--json'], node, { cwd: tmp.path });
      assert.equal(drill.code, 0, drill.stderr);
      const [result] = (JSON.parse(drill.stdout) as { results: DrillResult[] }).results;
      assert.equal(result!.verdict, 'PASS');
      const onDisk = JSON.parse(await readFile(path.join(result!.resultsDir, 'result.json'), 'utf8')) as DrillResult;
      assert.equal(onDisk.checks.find((c) => c.kind === 'files')?.status, 'pass', 'the files check hashed the tree (the hash worker ships)');
    });
  }

  it('runs the demo from the installed copy in a folder of the user\'s, writing nothing into the package', async () => {
    const pkg = path.join(tmp.path, 'prefix', 'lib', 'node_modules', 'restore-drill');
    const cwd = path.join(tmp.path, 'user-folder');
    await mkdir(cwd);
    const demo = await run(bin, ['demo', '--sandbox', 'local'], process.execPath, { cwd, timeoutMs: 120_000 });
    assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
    assert.match(demo.stdout, /Every demo drill that ran gave the verdict it was built to give/);
    for (const made of ['restore-drill-demo/demo', 'restore-drill-demo/scenarios/share-nightly.yaml', 'restore-drill-demo/results']) {
      assert.ok(existsSync(path.join(cwd, made)), `the demo made ${made} in the user's folder`);
    }
    assert.ok(!existsSync(path.join(pkg, 'demo')) && !existsSync(path.join(pkg, 'results')), 'nothing was written into the installed package');
  });

  it('on a Node older than engines, says which Node it needs in one line and exits 64 (installed bin and checkout)', async function () {
    if (!existsSync(OLD_NODE) || (await majorOf(OLD_NODE)) >= 22) skipBecause(this, `${OLD_NODE} is missing or not older than Node 22`);
    for (const [command, args] of [[bin, ['--help']], [OLD_NODE, [path.join(REPO, 'harness', 'cli', 'launch.mjs'), '--help']]] as const) {
      const { code, stdout, stderr } = await run(command, [...args], OLD_NODE);
      assert.equal(code, 64, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, /^restore-drill needs Node\.js 22\.18 or newer .*this is Node\.js 2\d\./);
      assert.equal(stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    }
  });
});

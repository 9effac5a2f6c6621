/**
 * Commands load their work only when they run: the start (--version, --help) reads the option
 * declarations and nothing else, yet every command's --help is whole and a lazily loaded command's
 * errors keep their exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../harness/cli/program.ts';
import { CLI, REPO, runCli } from '../helpers/cli.ts';

/** Every command and subcommand, as the words that reach it. */
function commandPaths(command: Command, words: string[] = []): { words: string[]; command: Command }[] {
  return command.commands.flatMap((sub) => [{ words: [...words, sub.name()], command: sub }, ...commandPaths(sub, [...words, sub.name()])]);
}

/** Loads the CLI with `args` under a hook that prints every module URL loaded, one a line, at exit. */
async function modulesLoadedBy(args: string[], dir: string): Promise<string[]> {
  const hook = path.join(dir, 'record-loads.mjs');
  await writeFile(hook, `import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
process.on('exit', () => process.stderr.write('LOADED\\n' + seen.join('\\n') + '\\n'));
`);
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(process.execPath, ['--import', hook, CLI, ...args], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return run.stderr.split('LOADED\n')[1]!.split('\n').filter(Boolean);
}

describe('lazily loaded commands', function () {
  this.timeout(90_000);
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'rd-lazy-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  for (const args of [['--version'], ['--help'], ['verify', '--help']]) {
    it(`${args.join(' ')} loads no command's work (no manifest, source, scenario or sandbox module; no worker_threads, no crypto)`, async () => {
      const loaded = await modulesLoadedBy(args, dir);
      const harness = loaded.filter((url) => url.includes('/harness/')).map((url) => url.slice(url.indexOf('/harness/') + 1));
      const work = harness.filter((file) => !/^harness\/(cli\/(commands\/[\w-]+|main|program|young-generation|defaults)\.ts|errors\.ts|error-codes\.ts|version\.ts|drill\/verdict\.ts|reporters\/local-time\.ts|sandboxes\/choices\.ts)$/.test(file));
      assert.deepEqual(work, [], `loaded at start: ${work.join(', ')}`);
      for (const heavy of ['node:worker_threads', 'node:crypto']) assert.ok(!loaded.includes(heavy), `${heavy} loaded at start`);
    });
  }

  it("every command's --help lists each of its options and arguments", async () => {
    const paths = commandPaths(buildProgram());
    assert.ok(paths.length >= 20, `only ${paths.length} commands found`);
    for (const { words, command } of paths) {
      const help = await runCli([...words, '--help']);
      assert.equal(help.code, 0, `${words.join(' ')} --help: ${help.stderr}`);
      assert.match(help.stdout, new RegExp(`^Usage: restore-drill ${words.join(' ')}`, 'm'));
      for (const option of command.options) assert.ok(help.stdout.includes(option.flags), `${words.join(' ')} --help lacks ${option.flags}`);
      for (const argument of command.registeredArguments) assert.ok(help.stdout.includes(argument.name()), `${words.join(' ')} --help lacks <${argument.name()}>`);
    }
  });

  it('a lazily loaded command still exits with its error code, naming the problem, without a stack trace', async () => {
    const manifest = path.join(dir, 'bad.sha256');
    await writeFile(manifest, 'zz\n');
    const cases: [string[], number, RegExp][] = [
      [['verify', path.join(dir, 'nowhere'), manifest], 64, /nowhere is not a folder/],
      [['verify', dir, manifest, '--extra', 'bogus'], 64, /--extra must be forbid or allow/],
      [['verify', dir, manifest], 3, /bad\.sha256:1: expected "<sha256 hex>  <path>"/],
      [['manifest', path.join(dir, 'nowhere')], 64, /nowhere is not a folder/],
      [['run', '--parallel', '0'], 64, /--parallel must be a whole number/],
      [['plan', 'run', 'x.yaml', '--seed', 'x'], 64, /--seed must be a whole number/],
      [['scan', 'x.yaml', '--point', 'newest-clean'], 64, /use find-clean/],
      [['report', dir, '--interval', 'zz'], 64, /--interval must be a duration/],
    ];
    for (const [args, code, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
    }
  });
});

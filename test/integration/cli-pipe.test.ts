/** `restore-drill --help | head -1`: the reader goes away early; the CLI must not die with a stack trace. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI, REPO } from '../helpers/cli.ts';

function helpIntoEarlyClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the CLI when its output is closed early (| head)', function () {
  this.timeout(30_000);
  for (const args of [['--help'], ['run', '--help'], ['plan', 'run', '--help']]) {
    it(`${args.join(' ')} exits 0 without EPIPE`, async () => {
      const { code, stderr } = await helpIntoEarlyClosedPipe(args);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
    });
  }
});

describe('--help of every command', function () {
  this.timeout(60_000);
  it('shows no internal defaults of repeatable options ("default: []")', async () => {
    const { runCli } = await import('../helpers/cli.ts');
    const top = await runCli(['--help']);
    const names = [...top.stdout.split(/^Commands:$/m)[1]!.matchAll(/^  ([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
    assert.ok(names.includes('manifest') && names.length > 10, top.stdout);
    for (const command of [...names.map((name) => [name]), ['plan', 'run'], ['evidence', 'verify'], ['evidence', 'points']]) {
      const help = await runCli([...command, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.doesNotMatch(help.stdout, /default: \[\]/, command.join(' '));
    }
  });
});

/**
 * The sandboxes' streaming exec against real bubblewrap and the real Docker engine: a few MB stream
 * through intact, a slow reader holds the command back, a non-zero exit and its stderr are reported,
 * a reader that stops early lets the command finish, abort and timeout kill the command (nothing is
 * left running), and the transcript has the command but neither its output nor its secrets.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerSandboxDriver } from '../../harness/sandboxes/docker.ts';
import { LocalSandboxDriver } from '../../harness/sandboxes/local.ts';
import type { Sandbox, SandboxDriver, StreamedExec } from '../../harness/sandboxes/sandbox.ts';
import { sandboxSchema } from '../../harness/scenario/schema.ts';
import { tempDir } from '../helpers/cli.ts';
import { BASE_IMAGE, dockerUnavailable } from '../helpers/docker.ts';
import { skipBecause } from '../helpers/ci-skips.ts';

const LINES = 500_000;

/** What `seq 1 LINES` prints. */
function seqDigest(): string {
  const hash = createHash('sha256');
  for (let i = 1; i <= LINES; i++) hash.update(`${i}\n`);
  return hash.digest('hex');
}

async function readAll(stream: StreamedExec, onPiece?: () => Promise<void>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream.stdout) {
    pieces.push(Buffer.from(piece));
    await onPiece?.();
  }
  return Buffer.concat(pieces);
}

const exists = (file: string) => access(file).then(() => true, () => false);

for (const kind of ['local', 'docker'] as const) {
  describe(`streaming exec, ${kind} sandbox (real ${kind === 'local' ? 'bubblewrap' : 'engine'})`, function () {
    this.timeout(60_000);
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    let driver: SandboxDriver;
    let sandbox: Sandbox;
    let logDir: string;
    let count = 0;

    before(async function () {
      if (kind === 'docker') {
        const why = await dockerUnavailable();
        if (why) skipBecause(this, why);
      }
      tmp = await tempDir('rd-exec-stream-');
      driver = kind === 'local' ? new LocalSandboxDriver({ baseDir: tmp.path }) : new DockerSandboxDriver();
      if (kind === 'local' && !(await (driver as LocalSandboxDriver).bubblewrap()).ok) skipBecause(this, 'bubblewrap cannot make a sandbox here');
    });
    beforeEach(async () => {
      logDir = path.join(tmp.path, 'logs', String(++count));
      const spec = sandboxSchema.parse(kind === 'docker' ? { image: BASE_IMAGE } : {});
      sandbox = await driver.provision({ spec, backupPaths: [], scenario: 'exec-stream-it', runId: `it-${process.pid}-${count}`, logDir });
    });
    afterEach(() => sandbox?.dispose());
    after(() => tmp?.remove());

    /** Command lines inside the sandbox's reach (the host for bubblewrap, the container for docker) containing `needle`. */
    async function running(needle: string): Promise<string[]> {
      if (kind === 'docker') {
        const listed = await sandbox.exec('for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done', { timeoutMs: 10_000 });
        return listed.stdout.split('\n').filter((line) => line.includes(needle) && !line.includes('/proc/'));
      }
      const found: string[] = [];
      for (const pid of await readdir('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const line = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
        if (line.includes(needle)) found.push(line);
      }
      return found;
    }

    it('streams a few MB through intact, held back while the reader is slow', async () => {
      const marker = path.posix.join(sandbox.restoreDir, 'finished');
      const stream = sandbox.execStream!(`seq 1 ${LINES}; head -c 33554432 /dev/zero; touch ${marker}`, { timeoutMs: 30_000, harnessCommand: true });
      let first = true;
      const all = await readAll(stream, async () => {
        if (!first) return;
        first = false;
        await sleep(500);
        assert.equal(await exists(path.join(sandbox.hostRestoreDir, 'finished')), false, 'the command ran ahead of its reader');
      });
      const ended = await stream.done;
      assert.equal(ended.exitCode, 0, ended.stderr);
      const text = all.subarray(0, all.length - 33554432);
      assert.equal(createHash('sha256').update(text).digest('hex'), seqDigest());
      assert.equal(ended.stdoutBytes, all.length);
      assert.ok(await exists(path.join(sandbox.hostRestoreDir, 'finished')));
    });

    it('reports a non-zero exit and its stderr; the transcript has neither the output nor the secret', async () => {
      const secret = 'Stream-Secret-8d1e';
      const stream = sandbox.execStream!('echo "out $TOKEN"; echo bad >&2; exit 3', { timeoutMs: 10_000, env: { TOKEN: secret }, harnessCommand: true });
      assert.equal((await readAll(stream)).toString(), `out ${secret}\n`);
      const ended = await stream.done;
      assert.equal(ended.exitCode, 3);
      assert.equal(ended.stderr, 'bad\n');
      assert.equal(ended.timedOut, false);
      const log = await readFile(path.join(logDir, 'exec.log'), 'utf8');
      assert.match(log, /\$ echo "out \$TOKEN"/);
      assert.match(log, /\[exit 3/);
      assert.doesNotMatch(log, new RegExp(secret));
    });

    it('a reader that stops early lets the rest go: the command finishes', async () => {
      const stream = sandbox.execStream!(`seq 1 ${LINES * 4}`, { timeoutMs: 20_000, harnessCommand: true });
      for await (const _ of stream.stdout) break;
      const ended = await stream.done;
      assert.equal(ended.exitCode, 0, ended.stderr);
    });

    it('abort kills the command and leaves nothing running', async () => {
      const stop = new AbortController();
      const stream = sandbox.execStream!('echo go; sleep 301; echo never', { timeoutMs: 30_000, signal: stop.signal, harnessCommand: true });
      for await (const _ of stream.stdout) {
        stop.abort(new Error('stopped by the test'));
      }
      await assert.rejects(stream.done, /stopped by the test/);
      assert.deepEqual(await running('sleep 301'), []);
    });

    it('a timeout kills the command, is reported, and leaves nothing running', async () => {
      const stream = sandbox.execStream!('echo go; sleep 302', { timeoutMs: 1000, harnessCommand: true });
      assert.equal((await readAll(stream)).toString(), 'go\n');
      const ended = await stream.done;
      assert.equal(ended.timedOut, true);
      assert.deepEqual(await running('sleep 302'), []);
    });
  });
}

/**
 * Host-side readers never follow the restored tree out of the restore folder, never block on a FIFO,
 * never read a device; names are bytes (a Shift_JIS name from an old NAS survives manifest, verify and
 * a directory source). Real trees, links and FIFOs made here or by restore steps; the real CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DrillResult } from '../../harness/drill/result.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { makeArchive, makeManifest, writeScenario, writeTree } from '../helpers/fixtures.ts';

const SECRET = 'PRIVATE-KEY-0f3a9c-never-print-me';
/** "テスト.txt" in Shift_JIS: not UTF-8. */
const SJIS_NAME = Buffer.concat([Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]), Buffer.from('.txt')]);
const SJIS_SHOWN = '\\x83e\\x83X\\x83g.txt';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('hostile readers: links, FIFOs, devices and non-UTF-8 names (local sandbox, real CLI)', function () {
  this.timeout(60_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let results: string;
  let keyFile: string;

  before(async () => {
    tmp = await tempDir('rd-readers-');
    results = path.join(tmp.path, 'results');
    keyFile = path.join(tmp.path, 'outside', 'signing-key.pem');
    await mkdir(path.dirname(keyFile), { recursive: true });
    await writeFile(keyFile, `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`);
    const tree = path.join(tmp.path, 'share');
    await writeTree(tree, { 'etc/key.conf': 'port = 5432\n', 'conf.txt': 'setting = 1\n', 'README.txt': 'share\n' });
    await makeManifest(tree, path.join(tmp.path, 'expected', 'share.sha256'));
    await writeFile(path.join(tmp.path, 'expected', 'key.conf'), 'port = 5432\n');
    await writeFile(path.join(tmp.path, 'expected', 'conf.txt'), 'setting = 1\n');
    await makeArchive(tree, path.join(tmp.path, 'backups', 'share.tar'));
  });
  after(() => tmp.remove());

  const scenario = (name: string, body: string) => writeScenario(path.join(tmp.path, 'scenarios', `${name}.yaml`), `name: ${name}\n${body}`);
  const run = async (file: string) => {
    const outcome = await runCli(['run', file, '--sandbox', 'local', '--results', results, '--json'], { timeoutMs: 30_000 });
    const parsed = JSON.parse(outcome.stdout) as { results: DrillResult[] };
    return { ...outcome, result: parsed.results[0]! };
  };
  const findingsOf = (result: DrillResult) => result.checks.flatMap((c) => c.findings.map((f) => f.message)).join('\n');

  it('a text check on a link to a key outside the restore FAILs naming the link and its target, and the key is printed nowhere', async () => {
    const file = await scenario('key-link', `source: { kind: tar, path: ../backups/share.tar }
restore:
  - run: rm etc/key.conf && ln -s ${keyFile} etc/key.conf
expect:
  text: [{ path: etc/key.conf, expected: ../expected/key.conf }]
`);
    const { code, stdout, stderr, result } = await run(file);
    assert.equal(code, 1, stderr);
    assert.equal(result.verdict, 'FAIL');
    assert.match(findingsOf(result), new RegExp(`etc/key\\.conf is a symbolic link to ${keyFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.ok(!stdout.includes(SECRET) && !stderr.includes(SECRET), 'the key is not in the output');
    for (const written of await filesUnder(results)) {
      assert.ok(!(await readFile(written, 'latin1')).includes(SECRET), `the key is not in ${written}`);
    }
  });

  it('a text check through an intermediate link (etc -> /etc) never reads the host file', async () => {
    const file = await scenario('etc-link', `source: { kind: tar, path: ../backups/share.tar }
restore:
  - run: rm -r etc && ln -s /etc etc
expect:
  text: [{ path: etc/passwd, expected: ../expected/key.conf }]
`);
    const { code, stdout, result } = await run(file);
    assert.equal(code, 1);
    assert.match(findingsOf(result), /etc\/passwd: etc is a symbolic link to \/etc, outside the restore folder: not read/);
    assert.ok(!stdout.includes('root:x:0:0'), 'the host /etc/passwd is not in the result');
  });

  it('a files manifest never walks through a folder link out of the restore, nor a check path that leads out', async () => {
    const file = await scenario('etc-link-files', `source: { kind: tar, path: ../backups/share.tar }
restore:
  - run: rm -r etc && ln -s /etc etc && ln -s / host
expect:
  files: { manifest: ../expected/share.sha256 }
  ransomware: { path: host, change: false }
`);
    const { code, result } = await run(file);
    assert.equal(code, 1);
    const files = result.checks.find((c) => c.kind === 'files')!;
    assert.deepEqual(files.findings.map((f) => f.message), ['etc/key.conf is missing (etc is a symbolic link to /etc, not followed)']);
    assert.match(JSON.stringify(result), /expect\.ransomware\.path host: host is a symbolic link to \/, outside the restore folder/);
  });

  for (const [what, step, type] of [
    ['a link to /dev/zero', 'rm conf.txt && ln -s /dev/zero conf.txt', /conf\.txt is a symbolic link to \/dev\/zero/],
    ['a FIFO', 'rm conf.txt && mkfifo conf.txt', /conf\.txt is a FIFO \(named pipe\)/],
  ] as const) {
    it(`${what} under a text check and a files manifest FAILs precisely within seconds`, async () => {
      const file = await scenario(`special-${what.length}`, `source: { kind: tar, path: ../backups/share.tar }
restore:
  - run: ${step}
expect:
  files: { manifest: ../expected/share.sha256 }
  text: [{ path: conf.txt, expected: ../expected/conf.txt }]
`);
      const started = Date.now();
      const { code, result } = await run(file);
      assert.ok(Date.now() - started < 20_000, 'no hang');
      assert.equal(code, 1);
      const files = result.checks.find((c) => c.kind === 'files')!;
      const text = result.checks.find((c) => c.kind === 'text')!;
      assert.equal(files.status, 'fail');
      assert.equal(text.status, 'fail');
      assert.match(files.findings.map((f) => f.message).join('\n'), type);
      assert.match(text.findings.map((f) => f.message).join('\n'), type);
    });
  }

  describe('a Shift_JIS file name', () => {
    let snapshot: string;
    let manifest: string;
    before(async () => {
      snapshot = path.join(tmp.path, 'nas', 'snap-1');
      await writeTree(snapshot, { 'docs/plain.txt': 'plain\n' });
      await writeFile(Buffer.concat([Buffer.from(`${snapshot}/docs/`), SJIS_NAME]), 'sjis content\n');
      manifest = path.join(tmp.path, 'expected', 'nas.sha256');
    });

    it('manifest DIR writes the raw bytes, as sha256sum does, and verify passes', async () => {
      const made = await runCli(['manifest', snapshot, '-o', manifest]);
      assert.equal(made.code, 0, made.stderr);
      const bytes = await readFile(manifest);
      assert.ok(bytes.includes(Buffer.concat([Buffer.from('  docs/'), SJIS_NAME, Buffer.from('\n')])), bytes.toString('latin1'));
      const coreutils = spawnSync('sha256sum', ['-c', '--quiet', manifest], { cwd: snapshot, encoding: 'utf8' });
      assert.equal(coreutils.status, 0, `sha256sum -c accepts it: ${coreutils.stdout}${coreutils.stderr}`);
      const verified = await runCli(['verify', snapshot, manifest]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.match(verified.stderr, /2 files .* verified, 0 differences/);
    });

    it('a directory source drill PASSes with it', async () => {
      const file = await scenario('nas', `source: { kind: directory, path: ../nas/snap-* }
expect: { files: { manifest: ../expected/nas.sha256 } }
`);
      const { code, stderr, result } = await run(file);
      assert.equal(code, 0, `${stderr}\n${result.reason}`);
      assert.equal(result.verdict, 'PASS');
    });

    it('a changed file with such a name FAILs naming it escaped', async () => {
      const changed = path.join(tmp.path, 'nas-changed', 'snap-1');
      await writeTree(changed, { 'docs/plain.txt': 'plain\n' });
      await writeFile(Buffer.concat([Buffer.from(`${changed}/docs/`), SJIS_NAME]), 'sjis content, changed\n');
      const verified = await runCli(['verify', changed, manifest]);
      assert.equal(verified.code, 1);
      assert.ok(verified.stdout.includes(`CHANGED docs/${SJIS_SHOWN}`), verified.stdout);
      const file = await scenario('nas-changed', `source: { kind: directory, path: ../nas-changed/snap-* }
expect: { files: { manifest: ../expected/nas.sha256 } }
`);
      const { code, result } = await run(file);
      assert.equal(code, 1);
      assert.ok(findingsOf(result).includes(`docs/${SJIS_SHOWN} changed`), findingsOf(result));
      assert.ok(!findingsOf(result).includes('\uFFFD'));
    });
  });
});

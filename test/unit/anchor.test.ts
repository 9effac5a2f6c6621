import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { appendAnchor } from '../../harness/evidence/anchor-append.ts';
import { parseAnchor } from '../../harness/evidence/anchor.ts';
import { sha256Hex } from '../../harness/evidence/digest.ts';
import { keyIdOf, type SigningKey } from '../../harness/evidence/keys.ts';

function makeKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), from: 'test', anchor: { path: '', from: 'test' } };
}

describe('unit: the evidence anchor (an append-only, signed, chained log of signed runs)', function () {
  let dir: string;
  let file: string;
  let key: SigningKey;
  const run = (i: number) => ({ scenario: i % 2 ? 'share' : 'letters', runId: `2026-11-25T10-00-0${i}-000Z-00${i}0`, sequence: i, evidence: { sha256: sha256Hex(`evidence ${i}`) }, results: '/srv/results' });

  beforeEach(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-anchor-'));
    file = path.join(dir, 'evidence-anchor.log');
    key = makeKey();
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function fourLines(): Promise<string[]> {
    await Promise.all([1, 2, 3, 4].map((i) => appendAnchor(file, run(i), key)));
    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    return text.slice(0, -1).split('\n');
  }

  it('appends one signed line per run, each naming its number and the digest of the line before, even when appended at once', async function () {
    const lines = await fourLines();
    assert.equal(lines.length, 4);
    const read = parseAnchor(lines.join('\n') + '\n', [key.publicKey]);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.entries.map((e) => e.line), [1, 2, 3, 4]);
    assert.equal(read.entries[0]!.previousLine, null);
    for (let i = 1; i < 4; i++) assert.equal(read.entries[i]!.previousLine, sha256Hex(lines[i - 1]!));
    assert.deepEqual(new Set(read.entries.map((e) => e.runId)), new Set([1, 2, 3, 4].map((i) => run(i).runId)));
    const record = JSON.parse(lines[0]!);
    assert.deepEqual(Object.keys(record), ['entry', 'keyid', 'sig']);
    assert.equal(record.keyid, key.keyId);
  });

  it('catches a line removed from the middle', async function () {
    const lines = await fourLines();
    const read = parseAnchor([lines[0], lines[2], lines[3]].join('\n') + '\n', [key.publicKey]);
    assert.equal(read.problems.length, 1, read.problems.join('\n'));
    assert.match(read.problems[0]!, /line 2 records itself as line 3 and does not follow line 1: line 2 was removed, or line 1 was changed/);
  });

  it('catches the first line removed', async function () {
    const lines = await fourLines();
    const read = parseAnchor(lines.slice(1).join('\n') + '\n', [key.publicKey]);
    assert.equal(read.problems.length, 1, read.problems.join('\n'));
    assert.match(read.problems[0]!, /line 1 records itself as line 2 and names a line before it: the anchor's first line\(s\) were removed/);
  });

  it('catches a line changed: its signature, and the link of the line after it', async function () {
    const lines = await fourLines();
    const record = JSON.parse(lines[1]!);
    record.entry.evidence.sha256 = sha256Hex('forged');
    lines[1] = JSON.stringify(record);
    const read = parseAnchor(lines.join('\n') + '\n', [key.publicKey]);
    assert.equal(read.problems.length, 2, read.problems.join('\n'));
    assert.match(read.problems[0]!, /line 2 .*has a signature that does not match: the line was changed after it was written/);
    assert.match(read.problems[1]!, /line 3 does not follow line 2/);
    assert.deepEqual(read.entries.map((e) => e.line), [1, 3, 4], 'a line that fails its signature vouches for nothing');
  });

  it('fails lines signed by a key it does not trust, and lines that are not records', async function () {
    const lines = await fourLines();
    const other = makeKey();
    const read = parseAnchor([...lines, 'not json', '{"entry":{}}'].join('\n') + '\n', [other.publicKey]);
    assert.equal(read.entries.length, 0);
    assert.match(read.problems[0]!, new RegExp(`line 1 is signed by key ${key.keyId}, which is not a trusted key`));
    assert.match(read.problems[4]!, /line 5 is not an anchor record: it is not JSON/);
    assert.match(read.problems[5]!, /line 6 is not an anchor record: entry\.line is missing/);
  });

  it('after a cut-off write, the next line starts on a line of its own, and the cut line is reported', async function () {
    await appendAnchor(file, run(1), key);
    await writeFile(file, (await readFile(file, 'utf8')) + '{"entry":{"line":2', { flag: 'w' });
    await appendAnchor(file, run(2), key);
    const text = await readFile(file, 'utf8');
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, 3);
    const read = parseAnchor(text, [key.publicKey]);
    assert.deepEqual(read.entries.map((e) => e.line), [1, 3]);
    assert.equal(read.problems.length, 1, read.problems.join('\n'));
    assert.match(read.problems[0]!, /line 2 is not an anchor record/);
  });

  it('reports a last line without its newline (a write cut off, or the file cut)', async function () {
    const lines = await fourLines();
    const read = parseAnchor(lines.join('\n').slice(0, -5), [key.publicKey]);
    assert.match(read.problems.at(-1)!, /line 4 is not an anchor record/);
  });

  it('keeps the chain whole when two processes append at once (a lock per host)', async function () {
    this.timeout(30_000);
    const pem = path.join(dir, 'key.pem');
    await writeFile(pem, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const modules = (name: string) => JSON.stringify(pathToFileURL(path.resolve('harness/evidence', name)).href);
    const script = [
      "import { createPrivateKey, createPublicKey } from 'node:crypto';",
      "import { readFileSync } from 'node:fs';",
      `import { appendAnchor } from ${modules('anchor-append.ts')};`,
      "const [pem, file, tag] = process.argv.slice(1);",
      "const privateKey = createPrivateKey(readFileSync(pem)); const publicKey = createPublicKey(privateKey);",
      "const key = { privateKey, publicKey, keyId: '', from: 'test', anchor: { path: file, from: 'test' } };",
      "for (let i = 0; i < 25; i++) await appendAnchor(file, { scenario: tag, runId: `run-${i}`, sequence: i + 1, evidence: { sha256: '0'.repeat(64) }, results: '/r' }, key);",
    ].join('\n');
    const run = (tag: string) => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, pem, file, tag], { timeout: 25_000 });
    await Promise.all([run('a'), run('b')]);
    const read = parseAnchor(await readFile(file, 'utf8'), [key.publicKey]);
    assert.deepEqual(read.problems, []);
    assert.equal(read.entries.length, 50);
  });

  it('refuses a folder that is not there, naming the file (it never makes the folder of a write-once mount)', async function () {
    const missing = path.join(dir, 'worm', 'evidence-anchor.log');
    await assert.rejects(appendAnchor(missing, run(1), key), (err: Error & { code?: string }) => err.code === 'ANCHOR_UNWRITABLE' && err.message.includes(missing));
  });
});

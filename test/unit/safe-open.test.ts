import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { displayBytes, comparePathKeys, pathKeyOf } from '../../harness/manifest/names.ts';
import { formatManifestLine, parseManifestLine } from '../../harness/manifest/manifest-file.ts';
import { folderInside, openRegular, openRegularSync, readInside, resolveInside, UnsafePathError } from '../../harness/manifest/safe-open.ts';
import { tempDir } from '../helpers/cli.ts';

const DIGEST = 'a'.repeat(64);

describe('safe-open: reading the restored tree from the host', function () {
  this.timeout(10_000);
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  before(async () => {
    tmp = await tempDir('rd-safe-open-');
    root = path.join(tmp.path, 'restore');
    await mkdir(path.join(root, 'inner'), { recursive: true });
    await writeFile(path.join(root, 'inner', 'ok.txt'), 'ok\n');
    await writeFile(path.join(tmp.path, 'secret.txt'), 'secret\n');
    await symlink(path.join(tmp.path, 'secret.txt'), path.join(root, 'key.conf'));
    await symlink('/dev/zero', path.join(root, 'zero'));
    await symlink(tmp.path, path.join(root, 'out'));
    await symlink('inner', path.join(root, 'current'));
    assert.equal(spawnSync('mkfifo', [path.join(root, 'fifo')]).status, 0);
  });
  after(() => tmp.remove());

  it('reads a regular file, also through a folder link that stays inside', async () => {
    assert.deepEqual(await readInside(root, 'inner/ok.txt', { maxBytes: 100 }), { bytes: Buffer.from('ok\n') });
    assert.deepEqual(await readInside(root, 'current/ok.txt', { maxBytes: 100 }), { bytes: Buffer.from('ok\n') });
  });

  it('refuses a link (naming its target), a FIFO and a device, without blocking or reading', async () => {
    await assert.rejects(readInside(root, 'key.conf', { maxBytes: 100 }), (err: UnsafePathError) => err.code === 'NOT_REGULAR' && err.message.includes(`a symbolic link to ${tmp.path}/secret.txt`));
    await assert.rejects(readInside(root, 'zero', { maxBytes: 100 }), /a symbolic link to \/dev\/zero/);
    await assert.rejects(readInside(root, 'fifo', { maxBytes: 100 }), /a FIFO \(named pipe\), not a regular file/);
    await assert.rejects(openRegular('/dev/zero'), /a character device/);
    assert.throws(() => openRegularSync(path.join(root, 'fifo')), /a FIFO/);
    assert.throws(() => openRegularSync(path.join(root, 'zero')), /a symbolic link to \/dev\/zero/);
  });

  it('refuses a path whose folder leads outside, naming the link', async () => {
    await assert.rejects(readInside(root, 'out/secret.txt', { maxBytes: 100 }), (err: UnsafePathError) => err.code === 'OUTSIDE_RESTORE' && err.message === `out/secret.txt: out is a symbolic link to ${tmp.path}, outside the restore folder: not read`);
    await assert.rejects(resolveInside(root, '../secret.txt'), /leads outside the restore folder/);
    await assert.rejects(folderInside(root, 'out', 'expect.files.path'), /expect\.files\.path out: out is a symbolic link/);
    assert.equal(await folderInside(root, 'current', 'expect.files.path'), path.join(await import('node:fs/promises').then((f) => f.realpath(root)), 'inner'));
  });

  it('caps what it reads', async () => {
    assert.deepEqual(await readInside(root, 'inner/ok.txt', { maxBytes: 2 }), { tooLarge: 3 });
  });

  it('stops on abort', async () => {
    await assert.rejects(readInside(root, 'inner/ok.txt', { maxBytes: 100, signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

describe('names are bytes; manifest lines as sha256sum writes them', () => {
  const sjis = Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67]);

  it('shows bytes that are not UTF-8 as \\xNN, never U+FFFD, and keeps UTF-8 as text', () => {
    assert.equal(displayBytes(Buffer.concat([Buffer.from('紹介状/'), sjis])), '紹介状/\\x83e\\x83X\\x83g');
    assert.deepEqual(pathKeyOf(Buffer.from('紹介状')), { relative: '紹介状' });
    assert.ok(pathKeyOf(sjis).bytes?.equals(sjis));
  });

  it('orders by bytes', () => {
    const a = pathKeyOf(Buffer.from([0x61, 0x80]));
    const b = { relative: 'a\u00ff' }; // 61 c3 bf
    assert.ok(comparePathKeys(a, b) < 0);
    assert.ok(comparePathKeys({ relative: 'a' }, a) < 0);
    assert.equal(comparePathKeys(a, pathKeyOf(Buffer.from([0x61, 0x80]))), 0);
  });

  it('writes raw bytes, and escapes backslash, newline and carriage return behind a leading "\\"', () => {
    assert.deepEqual(formatManifestLine(DIGEST, '', sjis), Buffer.concat([Buffer.from(`${DIGEST}  `), sjis, Buffer.from('\n')]));
    assert.equal(formatManifestLine(DIGEST, 'a\\b\nc\rd'), `\\${DIGEST}  a\\\\b\\nc\\rd\n`);
    const escapedBytes = formatManifestLine(DIGEST, '', Buffer.concat([sjis, Buffer.from('\\')])) as Buffer;
    assert.deepEqual(escapedBytes, Buffer.concat([Buffer.from(`\\${DIGEST}  `), sjis, Buffer.from('\\\\\n')]));
  });

  it('reads back what it writes, bytes included', () => {
    const line = (formatManifestLine(DIGEST, '', Buffer.concat([sjis, Buffer.from('\\n')])) as Buffer).toString('latin1').trimEnd();
    const entry = parseManifestLine(line, 1, 'm.sha256', true);
    assert.ok(entry.bytes?.equals(Buffer.concat([sjis, Buffer.from('\\n')])));
    assert.equal(entry.relative, '\\x83e\\x83X\\x83g\\n');
    assert.deepEqual(parseManifestLine(`\\${DIGEST}  a\\\\b\\nc`, 1, 'm.sha256'), { relative: 'a\\b\nc', digest: DIGEST, line: 1 });
  });
});

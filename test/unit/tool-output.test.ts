import assert from 'node:assert/strict';
import { readToolFailure } from '../../harness/sources/tool-output.ts';

/** What restic 0.14 prints restoring a snapshot whose data pack was deleted (retries shortened). */
const DELETED_PACK = [
  'restoring <Snapshot a594ab48 of [/tmp/rtest/data] at 2026-12-01 23:32:06 +0000 UTC by root@vm> to out',
  'Load(<data/26f734d752>, 247, 615) returned error, retrying after 552.330144ms: open repo/data/26/26f734d7: no such file or directory',
  'Load(<data/26f734d752>, 247, 615) returned error, retrying after 1.080381816s: open repo/data/26/26f734d7: no such file or directory',
  'ignoring error for /data/sub/f1: ReadFull(<data/26f734d752>): open repo/data/26/26f734d7: no such file or directory',
  'ignoring error for /data/sub/f2: ReadFull(<data/26f734d752>): open repo/data/26/26f734d7: no such file or directory',
  ...[1, 2, 3, 4, 5, 6].map((n) => `ignoring error for /data/sub/f${n}: UtimesNano: no such file or directory`),
  'Fatal: There were 8 errors',
].join('\n');

const PANIC = [
  'panic: runtime error: index out of range [3] with length 3',
  '',
  'goroutine 1 [running]:',
  'github.com/restic/restic/internal/repository.(*Repository).LoadBlob(0xc000132000)',
  '\t/build/restic/internal/repository/repository.go:250 +0x6b4',
  'main.main()',
].join('\n');

describe('backup tool output', () => {
  it('a deleted pack shows the file restic could not read, once, not the UtimesNano consequences', () => {
    const { said, panic } = readToolFailure(DELETED_PACK);
    assert.equal(panic, undefined);
    assert.equal(said, 'ignoring error for /data/sub/f1: ReadFull(<data/26f734d752>): open repo/data/26/26f734d7: no such file or directory | Fatal: There were 8 errors');
  });

  it('a Go panic is its first line, never the goroutine trace', () => {
    const { said, panic } = readToolFailure(PANIC);
    assert.equal(panic, 'panic: runtime error: index out of range [3] with length 3');
    assert.doesNotMatch(said, /goroutine|repository\.go/);
  });

  it('keeps the consequences when they are all there is', () => {
    assert.equal(readToolFailure('ignoring error for /a: Lchown: lchown /a: operation not permitted\n').said, 'ignoring error for /a: Lchown: lchown /a: operation not permitted');
  });
});

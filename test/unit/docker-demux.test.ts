/**
 * The docker exec demultiplexer (docker-dockerode.ts demuxer): frames split anywhere across chunks
 * come out whole and in order, stdout apart from stderr, and a slow stdout reader holds the input back.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { demuxer } from '../../harness/sandboxes/docker-dockerode.ts';

function frame(stream: 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('docker exec demultiplexer', () => {
  it('reassembles frames split at every boundary, keeping stdout and stderr apart', async () => {
    const out = Array.from({ length: 20 }, (_, i) => Buffer.alloc(100 + i * 37, i));
    const err = [Buffer.from('warning one\n'), Buffer.from('warning two\n')];
    const whole = Buffer.concat([frame(1, out[0]!), frame(2, err[0]!), ...out.slice(1, 10).map((p) => frame(1, p)), frame(2, err[1]!), ...out.slice(10).map((p) => frame(1, p))]);
    for (const size of [1, 3, 7, 8, 9, 500, whole.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < whole.length; at += size) chunks.push(whole.subarray(at, at + size));
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      await pipeline(Readable.from(chunks), demuxer((c) => void stdout.push(Buffer.from(c)), (c) => void stderr.push(Buffer.from(c))));
      assert.deepEqual(Buffer.concat(stdout), Buffer.concat(out), `chunks of ${size}`);
      assert.equal(Buffer.concat(stderr).toString(), 'warning one\nwarning two\n');
    }
  });

  it('waits for a slow stdout reader before taking more input', async () => {
    let taken = 0;
    const input = Readable.from((function* () {
      for (let i = 0; i < 5; i++) {
        taken++;
        yield frame(1, Buffer.alloc(65536, i));
      }
    })(), { objectMode: false, highWaterMark: 1 });
    const seen: number[] = [];
    await pipeline(input, demuxer(async (chunk) => {
      await sleep(20);
      seen.push(taken); // how much input had been taken once this piece was handled
      assert.equal(chunk.length, 65536);
    }, () => undefined));
    // Had the demultiplexer not waited, all five frames would have been taken before the first was handled.
    assert.equal(seen.length, 5);
    assert.ok(seen[0]! < 5, `input taken ahead: ${seen.join(',')}`);
  });
});

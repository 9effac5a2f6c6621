import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HashPool } from '../../harness/manifest/hash-pool.ts';
import { REPO, tempDir } from '../helpers/cli.ts';

describe('hash pool start', function () {
  this.timeout(20_000);

  it('starts its workers when it is made, so that the first files do not wait for them', async () => {
    await using pool = new HashPool({ workers: 2 });
    assert.equal(await pool.ready(), 2);
  });

  it('never keeps a process alive while idle (a pool that is not closed lets the process end)', async () => {
    const tmp = await tempDir();
    try {
      const file = path.join(tmp.path, 'a.txt');
      await writeFile(file, 'abc');
      const script = `import { HashPool } from ${JSON.stringify(path.join(REPO, 'harness/manifest/hash-pool.ts'))};
const pool = new HashPool({ workers: 2 });
console.log((await pool.hash(${JSON.stringify(file)})).digest);`;
      const main = path.join(tmp.path, 'main.mjs');
      await writeFile(main, script);
      const child = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(child.signal, null, 'the process did not end by itself');
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    } finally {
      await tmp.remove();
    }
  });
});

describe('hash pool reads', function () {
  this.timeout(20_000);

  it('hashes files around its buffer size right: a file smaller than the buffer in one read, larger ones to their end', async () => {
    const { createHash, randomBytes } = await import('node:crypto');
    const tmp = await tempDir();
    try {
      await using pool = new HashPool({ workers: 2, bufferSize: 4096 });
      for (const size of [0, 1, 4095, 4096, 4097, 8191, 8192, 12289]) {
        const file = path.join(tmp.path, `f${size}`);
        const bytes = randomBytes(size);
        await writeFile(file, bytes);
        assert.deepEqual(await pool.hash(file), { digest: createHash('sha256').update(bytes).digest('hex'), size }, `${size} bytes`);
      }
    } finally {
      await tmp.remove();
    }
  });
});

/**
 * Compile-cache entries after a child that turns the cache on and imports `module`, with and without
 * running `work` (which starts a worker): more with it means the worker's own modules were cached.
 */
async function cacheEntriesWithAndWithoutWorker(module: string, importName: string, work: string): Promise<{ mainThreadOnly: number; withWorker: number }> {
  const { readdir } = await import('node:fs/promises');
  const tmp = await tempDir();
  try {
    const script = path.join(tmp.path, 'main.mjs');
    await writeFile(script, `import module from 'node:module';
const [cache, withWorker] = process.argv.slice(2);
module.enableCompileCache(cache);
const { ${importName} } = await import(${JSON.stringify(path.join(REPO, module))});
if (withWorker) {
${work}
}`);
    const entries = async (cache: string, withWorker: boolean) => {
      const child = spawnSync(process.execPath, [script, cache, ...(withWorker ? ['1'] : [])], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(child.status, 0, child.stderr);
      return (await readdir(cache, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
    };
    return { mainThreadOnly: await entries(path.join(tmp.path, 'cache-main'), false), withWorker: await entries(path.join(tmp.path, 'cache-worker'), true) };
  } finally {
    await tmp.remove();
  }
}

describe('worker threads and the compile cache', function () {
  this.timeout(30_000);

  it("the hash pool's workers compile from the launcher's compile cache, as the main thread does (not again on every run)", async () => {
    const { mainThreadOnly, withWorker } = await cacheEntriesWithAndWithoutWorker('harness/manifest/hash-pool.ts', 'HashPool', `
  const pool = new HashPool({ workers: 1 });
  await pool.hash(process.argv[1]);
  await pool.close();`);
    // The worker's own modules (hash-worker.ts, safe-open-sync.ts, names.ts) are cached beside the main thread's.
    assert.ok(withWorker > mainThreadOnly, `the worker cached nothing: ${withWorker} entries with it, ${mainThreadOnly} without`);
  });

  it("the tar extractor's hashing worker compiles from it too", async () => {
    const { mainThreadOnly, withWorker } = await cacheEntriesWithAndWithoutWorker('harness/sources/hash-offload.ts', 'HashOffload', `
  const offload = new HashOffload(1024);
  const id = offload.start();
  await offload.update(id, Buffer.from('abc'));
  await offload.end(id);
  await offload.close();`);
    assert.ok(withWorker > mainThreadOnly, `the worker cached nothing: ${withWorker} entries with it, ${mainThreadOnly} without`);
  });
});

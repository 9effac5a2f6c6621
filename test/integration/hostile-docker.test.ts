/** A restore step killed by the container's memory limit: the message names sandbox.memory. Real engine. */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { onlyResult } from '../helpers/engines.ts';
import { containersLabelled, dockerUnavailable, scratchDir } from '../helpers/docker.ts';

describe('hostile input in the docker sandbox (integration, real engine)', function () {
  this.timeout(90_000);
  let scratch: { path: string; remove(): Promise<void> };

  before(async function () {
    const why = await dockerUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    scratch = await scratchDir();
    await mkdir(path.join(scratch.path, 'backups', 'snap-1'), { recursive: true });
    await writeFile(path.join(scratch.path, 'backups', 'snap-1', 'a.txt'), 'a\n');
  });
  after(() => scratch?.remove());

  it('a restore step killed for memory (exit 137) says: likely out of memory, raise sandbox.memory', async () => {
    const name = `oom-${process.pid}`;
    const file = path.join(scratch.path, `${name}.yaml`);
    await writeFile(file, `name: ${name}
source: { kind: directory, path: ./backups/snap-* }
sandbox: { memory: 64m }
restore:
  - run: x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo done
    timeout: 60s
`);
    const { code, stdout, stderr } = await runCli(['run', file, '--sandbox', 'docker', '--json', '--results', path.join(scratch.path, 'results')]);
    assert.equal(code, 1, stderr);
    const result = onlyResult(stdout);
    assert.match(result.reason, /was killed \(exit 137\): likely out of memory — raise sandbox\.memory \(now 64\.0 MiB\)/);
    assert.deepEqual(await containersLabelled(`restore-drill.scenario=${name}`), []);
  });
});

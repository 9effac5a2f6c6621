import assert from 'node:assert/strict';
import { exitWords } from '../../harness/sandboxes/exit-words.ts';

describe('exit words', () => {
  it('names sandbox.memory and its value for a kill in the docker sandbox', () => {
    assert.equal(exitWords(137, 'docker', { memory: 1024 ** 3 }), 'was killed (exit 137): likely out of memory — raise sandbox.memory (now 1.0 GiB)');
  });
  it('says only killed in the local sandbox, which has no memory limit, and plain exits as they are', () => {
    assert.equal(exitWords(137, 'local', { memory: 1024 ** 3 }), 'was killed (exit 137, SIGKILL)');
    assert.equal(exitWords(2, 'docker', { memory: 1024 ** 3 }), 'exited 2');
  });
});

/**
 * Deleted evidence, caught against the anchor: real drills by the real CLI sign runs with a real key
 * and append them to the anchor beside it; then copies of the results (and of the anchor) are damaged
 * the way someone hiding a failed drill would, and `evidence verify` runs with and without the anchor.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../../harness/evidence/digest.ts';
import { makeWorld, shareScenario, type World } from '../helpers/evidence-world.ts';

describe('integration: hostile evidence: deletions caught against the anchor', function () {
  let world: World;
  let runs: string[];
  let letters: string;
  let publicKey: string;
  let anchor: string;

  before(async function () {
    world = await makeWorld();
    const init = await world.run(['keys', 'init']);
    assert.equal(init.code, 0, init.stderr);
    publicKey = path.join(world.root, 'config', 'keys', 'evidence-ed25519.pub.pem');
    anchor = path.join(world.root, 'config', 'keys', 'evidence-anchor.log');
    const lettersScenario = await world.scenario('letters', shareScenario());
    const share = await world.scenario('share', shareScenario());
    for (const scenario of [lettersScenario, share, share, share]) {
      const run = await world.run(['run', scenario, '--results', world.results, '--sandbox', 'local']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
    }
    runs = (await readdir(path.join(world.results, 'share'))).sort();
    letters = (await readdir(path.join(world.results, 'letters')))[0]!;
  });

  after(async function () {
    await world?.dispose();
  });

  async function copyOfResults(name: string): Promise<string> {
    const copy = path.join(world.root, `results-${name}`);
    await cp(world.results, copy, { recursive: true });
    return copy;
  }

  async function anchorLines(): Promise<string[]> {
    return (await readFile(anchor, 'utf8')).slice(0, -1).split('\n');
  }

  const verify = (target: string, ...flags: string[]) => world.run(['evidence', 'verify', '--key', publicKey, ...flags, target]);

  it('every signed run appends one signed line to the anchor beside the key, naming its evidence digest', async function () {
    const lines = await anchorLines();
    assert.equal(lines.length, 4);
    const entries = lines.map((l) => JSON.parse(l).entry);
    assert.deepEqual(entries.map((e) => `${e.scenario}/${e.runId}`), [`letters/${letters}`, ...runs.map((r) => `share/${r}`)]);
    for (const e of entries.slice(1)) {
      assert.equal(e.evidence.sha256, sha256Hex(await readFile(path.join(world.results, 'share', e.runId, 'evidence.json'))));
    }
    const out = await verify(world.results);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /anchor .*evidence-anchor.log: 4 lines, every anchored run of letters, share is here and matches/);
  });

  it('(a) every evidence.json of a scenario deleted and a result edited: FAIL against the anchor, and without it says what it cannot check', async function () {
    const copy = await copyOfResults('a');
    for (const run of runs) await rm(path.join(copy, 'share', run, 'evidence.json'));
    const file = path.join(copy, 'share', runs[1]!, 'result.json');
    const result = JSON.parse(await readFile(file, 'utf8'));
    result.verdict = 'PASS';
    await writeFile(file, JSON.stringify(result, null, 2) + '\n');

    const out = await verify(copy, '--anchor', anchor);
    assert.equal(out.code, 1, out.stdout);
    for (const [i, run] of runs.entries()) {
      assert.match(out.stdout, new RegExp(`FAIL  anchor .*: share/${run} is in the anchor \\(line ${i + 2}, signed run ${i + 1}, [^)]+\\) but its evidence.json is gone while its result.json is there: the evidence was removed`));
    }
    assert.match(out.stdout, /NOT VERIFIED/);

    const without = await verify(copy, '--no-anchor');
    assert.doesNotMatch(without.stdout, /ran before .*chain began/);
    assert.match(without.stdout, new RegExp(`note  chain .*share: share/${runs[0]} is not signed, and no signed run comes before it in share/: it ran without a signing key, or its evidence was removed; the files alone cannot tell which`));
    assert.match(without.stdout, /not checked: without an anchor \(--anchor FILE\), it cannot be checked that the newest runs of a scenario were not removed/);
    assert.match(without.stdout, /not checked: .*nor that all the evidence of a scenario \(or its whole folder\) was not removed/);
  });

  it('(b) the newest run\'s folder deleted: caught by the anchor, and named as not checkable without it', async function () {
    const copy = await copyOfResults('b');
    await rm(path.join(copy, 'share', runs[2]!), { recursive: true });
    const out = await verify(copy, '--anchor', anchor);
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stdout, new RegExp(`FAIL  anchor .*: share/${runs[2]} is in the anchor \\(line 4, signed run 3, [^)]+\\) but is not in share/: the run was removed`));
    assert.match(out.stdout, new RegExp(`FAIL  anchor .*: the newest anchored run of share is ${runs[2]} \\(line 4\\), but the chain in share/ ends at ${runs[1]}`));

    const without = await verify(copy, '--no-anchor');
    assert.equal(without.code, 0, 'the files alone cannot show it');
    assert.match(without.stdout, /not checked: without an anchor/);
  });

  it('a whole scenario folder deleted: caught by the anchor', async function () {
    const copy = await copyOfResults('folder');
    await rm(path.join(copy, 'share'), { recursive: true });
    const out = await verify(copy, '--anchor', anchor);
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stdout, new RegExp(`FAIL  anchor .*: the anchor records 3 signed runs of share \\(lines 2-4, the newest ${runs[2]}\\), but .*results-folder has no share/ folder: all of its results were removed`));
  });

  it('(c) the anchor edited: a line removed, a line changed, or its end cut are caught', async function () {
    const lines = await anchorLines();
    const edited = path.join(world.root, 'edited-anchor.log');
    const verifyWith = async (text: string[]) => {
      await writeFile(edited, text.join('\n') + '\n');
      return verify(world.results, '--anchor', edited);
    };

    const removed = await verifyWith([lines[0]!, lines[1]!, lines[3]!]);
    assert.equal(removed.code, 1, removed.stdout);
    assert.match(removed.stdout, /FAIL  anchor .*edited-anchor.log: line 3 records itself as line 4 and does not follow line 2: line 3 was removed/);

    const record = JSON.parse(lines[2]!);
    record.entry.runId = runs[0];
    const changed = await verifyWith([lines[0]!, lines[1]!, JSON.stringify(record), lines[3]!]);
    assert.equal(changed.code, 1, changed.stdout);
    assert.match(changed.stdout, /line 3 .*has a signature that does not match: the line was changed after it was written/);

    const cut = await verifyWith(lines.slice(0, 3));
    assert.equal(cut.code, 1, cut.stdout);
    assert.match(cut.stdout, new RegExp(`FAIL  anchor .*: share/${runs[2]} is signed but not in the anchor, although it ran after the anchor began \\(${letters}, line 1\\)`));
  });

  it('refuses to drill when the anchor cannot be written, naming it', async function () {
    const missing = path.join(world.root, 'no-such-mount', 'evidence-anchor.log');
    const share = path.join(world.root, 'share.yaml');
    const out = await world.run(['run', share, '--results', world.results, '--sandbox', 'local'], { RESTORE_DRILL_ANCHOR: missing });
    assert.equal(out.code, 3, out.stdout + out.stderr);
    assert.match(out.stderr, new RegExp(`evidence anchor ${missing} \\(from RESTORE_DRILL_ANCHOR\\) cannot be written`));
    assert.deepEqual((await readdir(path.join(world.results, 'share'))).sort(), runs, 'no drill ran');
  });

  it('appends to an anchor made append-only (chattr +a), which refuses to be rewritten', async function () {
    const worm = path.join(world.root, 'worm-anchor.log');
    await writeFile(worm, '');
    try {
      execFileSync('chattr', ['+a', worm], { stdio: 'pipe' });
    } catch (err) {
      console.log(`      skipped: chattr +a is not available here (${String(err).split('\n')[0]})`);
      this.skip();
    }
    try {
      const results = path.join(world.root, 'results-worm');
      const run = await world.run(['run', path.join(world.root, 'share.yaml'), '--results', results, '--sandbox', 'local'], { RESTORE_DRILL_ANCHOR: worm });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal((await readFile(worm, 'utf8')).split('\n').length, 2, 'one line appended');
      await assert.rejects(writeFile(worm, ''), /EPERM/);
      const out = await verify(results, '--anchor', worm);
      assert.equal(out.code, 0, out.stdout);
      assert.match(out.stdout, /worm-anchor.log: 1 line, every anchored run of share is here and matches/);
    } finally {
      execFileSync('chattr', ['-a', worm]);
    }
  });
});

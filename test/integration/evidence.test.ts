/**
 * Signed, chained evidence end to end: real drills by the real CLI on archives made here, then
 * `evidence verify` on the untouched tree and on copies where a result was edited, a run removed,
 * runs swapped, a past evidence edited, or the wrong key used.
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE } from '../../harness/evidence/statement.ts';
import { makeWorld, shareScenario, type World } from '../helpers/evidence-world.ts';

describe('integration: evidence.json, keys init and evidence verify', function () {
  let world: World;
  let scenario: string;
  let runs: string[];
  let scenarioDir: string;
  let publicKey: string;

  before(async function () {
    world = await makeWorld();
    const init = await world.run(['keys', 'init']);
    assert.equal(init.code, 0, init.stderr);
    publicKey = path.join(world.root, 'config', 'keys', 'evidence-ed25519.pub.pem');
    scenario = await world.scenario('share', shareScenario({ readiness: true }) + 'secrets:\n  SHARE_TOKEN: { env: SHARE_TOKEN }\n');
    for (let i = 0; i < 3; i++) {
      const run = await world.run(['run', scenario, '--results', world.results, '--sandbox', 'local'], { SHARE_TOKEN: 'do-not-leak-7f3a9c' });
      assert.equal(run.code, 0, run.stdout + run.stderr);
    }
    scenarioDir = path.join(world.results, 'share');
    runs = (await readdir(scenarioDir)).sort();
    assert.equal(runs.length, 3);
  });

  after(async function () {
    await world?.dispose();
  });

  /** A copy of the results tree to damage, so each case starts from the signed original. */
  async function copyOfResults(name: string): Promise<string> {
    const copy = path.join(world.root, `results-${name}`);
    await cp(world.results, copy, { recursive: true });
    return copy;
  }

  it('keys init keeps the private key to its owner (mode 0600) and outside the results', async function () {
    const info = await stat(path.join(world.root, 'config', 'keys', 'evidence-ed25519.pem'));
    assert.equal(info.mode & 0o777, 0o600);
    const config = JSON.parse(await readFile(path.join(world.root, 'config', 'config.json'), 'utf8'));
    assert.match(config.evidence.privateKey, /evidence-ed25519\.pem$/);
    const again = await world.run(['keys', 'init']);
    assert.equal(again.code, 64);
    assert.match(again.stderr, /already exists .* --force/);
  });

  it('writes an in-toto statement in a DSSE envelope binding the scenario, the restore point and result.json', async function () {
    const runDir = path.join(scenarioDir, runs[0]!);
    const envelope = JSON.parse(await readFile(path.join(runDir, 'evidence.json'), 'utf8'));
    assert.equal(envelope.payloadType, PAYLOAD_TYPE);
    assert.equal(envelope.signatures.length, 1);
    assert.match(envelope.signatures[0].keyid, /^sha256:[0-9a-f]{64}$/);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    assert.equal(statement._type, STATEMENT_TYPE);
    assert.equal(statement.predicateType, PREDICATE_TYPE);
    const names = statement.subject.map((s: { name: string }) => s.name);
    assert.deepEqual(names, [`scenario:share.yaml`, 'restore-point:share-1.tar.gz', 'result.json']);
    const archive = await readFile(path.join(world.root, 'backups', 'good', 'share-1.tar.gz'));
    const { createHash } = await import('node:crypto');
    assert.equal(statement.subject[1].digest.sha256, createHash('sha256').update(archive).digest('hex'));
    assert.equal(statement.subject[2].digest.sha256, createHash('sha256').update(await readFile(path.join(runDir, 'result.json'))).digest('hex'));
    assert.equal(statement.predicate.result.runId, runs[0]);
    assert.deepEqual(statement.predicate.chain, { scope: 'scenario', sequence: 1, previous: null });
    const second = JSON.parse(Buffer.from(JSON.parse(await readFile(path.join(scenarioDir, runs[1]!, 'evidence.json'), 'utf8')).payload, 'base64').toString('utf8'));
    assert.equal(second.predicate.chain.sequence, 2);
    assert.equal(second.predicate.chain.previous.runId, runs[0]);
    assert.equal(second.predicate.chain.previous.digest.sha256, createHash('sha256').update(await readFile(path.join(runDir, 'evidence.json'))).digest('hex'));
  });

  it('never writes the secret or the private key into the results', async function () {
    const pem = await readFile(path.join(world.root, 'config', 'keys', 'evidence-ed25519.pem'), 'utf8');
    const keyBody = pem.split('\n')[1]!;
    for (const run of runs) {
      for (const file of ['evidence.json', 'result.json', 'report.html', 'junit.xml']) {
        const text = await readFile(path.join(scenarioDir, run, file), 'utf8');
        const decoded = file === 'evidence.json' ? Buffer.from(JSON.parse(text).payload, 'base64').toString('utf8') : '';
        for (const content of [text, decoded]) {
          assert.ok(!content.includes('do-not-leak-7f3a9c'), `${file} holds the secret`);
          assert.ok(!content.includes(keyBody), `${file} holds the private key`);
          assert.ok(!content.includes('evidence-ed25519.pem'), `${file} names the private key file`);
        }
      }
    }
  });

  it('verifies the untouched tree and names the chain head', async function () {
    // As docs/auditors.md writes it: the key first, then the results.
    const out = await world.run(['evidence', 'verify', '--key', publicKey, world.results]);
    assert.equal(out.code, 0, out.stdout + out.stderr);
    assert.match(out.stdout, /verified: 3 evidence files/);
    assert.match(out.stdout, new RegExp(`3 signed runs, head ${runs[2]} sha256:[0-9a-f]{64}`));
  });

  it('fails a tampered result.json, naming the file and both digests', async function () {
    const copy = await copyOfResults('tampered');
    const file = path.join(copy, 'share', runs[1]!, 'result.json');
    const result = JSON.parse(await readFile(file, 'utf8'));
    result.rto.actualMs = 1;
    await writeFile(file, JSON.stringify(result, null, 2) + '\n');
    const out = await world.run(['evidence', 'verify', copy, '--key', publicKey]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`FAIL .*${runs[1]}/evidence.json .*result.json was changed after it was signed: its sha256 is [0-9a-f]{64}, the signed evidence records [0-9a-f]{64}`));
    assert.equal(out.stdout.match(/^FAIL/gm)?.length, 1, out.stdout);
  });

  it('fails a removed run, naming the run that is gone', async function () {
    const copy = await copyOfResults('removed');
    await rm(path.join(copy, 'share', runs[1]!), { recursive: true });
    const out = await world.run(['evidence', 'verify', copy, '--key', publicKey]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`FAIL  chain .*share/${runs[2]} names as the run before it ${runs[1]}, which is not in share/: that run was removed`));
  });

  it('fails when the first run is removed', async function () {
    const copy = await copyOfResults('removed-first');
    await rm(path.join(copy, 'share', runs[0]!), { recursive: true });
    const out = await world.run(['evidence', 'verify', copy, '--key', publicKey]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`share/${runs[1]} names the run before it, ${runs[0]} .*which is not in share/: that run was removed`));
  });

  it('fails runs swapped between folders', async function () {
    const copy = await copyOfResults('swapped');
    const a = path.join(copy, 'share', runs[0]!);
    const b = path.join(copy, 'share', runs[1]!);
    await rename(a, `${a}.tmp`);
    await rename(b, a);
    await rename(`${a}.tmp`, b);
    const out = await world.run(['evidence', 'verify', copy, '--key', publicKey]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`records run ${runs[1]} but lies in the folder ${runs[0]}: it was moved or swapped`));
  });

  it('fails an edited past evidence: its signature, and the next run\'s link', async function () {
    const copy = await copyOfResults('edited');
    const file = path.join(copy, 'share', runs[0]!, 'evidence.json');
    const envelope = JSON.parse(await readFile(file, 'utf8'));
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    statement.predicate.result.verdict = 'PASS';
    statement.predicate.result.host.user = 'someone-else';
    envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    await writeFile(file, JSON.stringify(envelope, null, 2));
    const out = await world.run(['evidence', 'verify', copy, '--key', publicKey]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`${runs[0]}/evidence.json .*signature: the signature by sha256:[0-9a-f]{64} does not match the content: the evidence was changed after it was signed`));
    assert.match(out.stdout, new RegExp(`share/${runs[1]} recorded the evidence of ${runs[0]} with sha256 [0-9a-f]{64}, but that evidence.json now has sha256 [0-9a-f]{64}: it was edited or replaced`));
  });

  it('fails a deleted evidence.json of a run that still has its result', async function () {
    const copy = await copyOfResults('unsigned');
    await rm(path.join(copy, 'share', runs[2]!, 'evidence.json'));
    const out = await world.run(['evidence', 'verify', copy, '--key', publicKey]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, new RegExp(`share/${runs[2]} has a result.json but no evidence.json, after signed runs began`));
  });

  it('fails with the wrong key, naming the signing key and the trusted one', async function () {
    const other = await world.run(['keys', 'init'], { RESTORE_DRILL_CONFIG: path.join(world.root, 'other', 'config.json') });
    assert.equal(other.code, 0, other.stderr);
    const wrong = path.join(world.root, 'other', 'keys', 'evidence-ed25519.pub.pem');
    const out = await world.run(['evidence', 'verify', path.join(scenarioDir, runs[0]!, 'evidence.json'), '--key', wrong]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, /signature: it is signed by key sha256:[0-9a-f]{64}, which is not a trusted key \(trusted: sha256:[0-9a-f]{64}\)/);
    const [signer, trusted] = [...out.stdout.matchAll(/sha256:[0-9a-f]{64}/g)].map((m) => m[0]);
    assert.notEqual(signer, trusted);
  });

  it('with --backups, fails when the drilled backup changed since, and notes one that is gone', async function () {
    const copy = await copyOfResults('backups');
    const archive = path.join(world.root, 'backups', 'good', 'share-1.tar.gz');
    const original = await readFile(archive);
    const plain = await world.run(['evidence', 'verify', '--backups', '--key', publicKey, copy]);
    assert.equal(plain.code, 0, plain.stdout);
    try {
      await writeFile(archive, Buffer.concat([original, Buffer.from('appended')]));
      const changed = await world.run(['evidence', 'verify', '--backups', '--key', publicKey, copy]);
      assert.equal(changed.code, 1);
      assert.match(changed.stdout, /the backup .*share-1.tar.gz has sha256 [0-9a-f]{64} now, but the drill restored sha256 [0-9a-f]{64}: the backup changed after the drill/);
      const without = await world.run(['evidence', 'verify', '--key', publicKey, copy]);
      assert.equal(without.code, 0, 'without --backups the backups are not read');
      await rm(archive);
      const gone = await world.run(['evidence', 'verify', '--backups', '--key', publicKey, copy]);
      assert.equal(gone.code, 0, gone.stdout);
      assert.match(gone.stdout, /note .*the backup .*share-1.tar.gz drilled then is not there now \(ENOENT\)/);
    } finally {
      await writeFile(archive, original);
    }
  });

  it('refuses a signing key kept inside the results folder', async function () {
    await cp(path.join(world.root, 'config', 'keys', 'evidence-ed25519.pem'), path.join(world.results, 'key.pem'));
    const out = await world.run(['run', scenario, '--results', world.results, '--sandbox', 'local'], { RESTORE_DRILL_KEY: path.join(world.results, 'key.pem'), SHARE_TOKEN: 'do-not-leak-7f3a9c' });
    await rm(path.join(world.results, 'key.pem'));
    assert.equal(out.code, 3);
    assert.match(out.stderr, /is inside the results folder/);
    assert.deepEqual((await readdir(path.join(world.results, 'share'))).sort(), runs, 'no drill ran');
  });
});

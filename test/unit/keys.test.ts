import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { anchorLocation, initKeys, keyIdOf, loadSigningKey, trustedKeys } from '../../harness/evidence/keys.ts';

describe('unit: evidence signing keys', function () {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), 'restore-drill-keys-'));
    env = { RESTORE_DRILL_CONFIG: path.join(dir, 'config', 'config.json') };
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no key until keys init makes one', async function () {
    assert.equal(await loadSigningKey({ env }), undefined);
    await assert.rejects(trustedKeys([], env), /No public key to verify with: pass --key FILE/);
  });

  it('makes an Ed25519 pair, private key 0600, recorded in the config, and loads it', async function () {
    const made = await initKeys({ env });
    assert.equal((await stat(made.privateKey)).mode & 0o777, 0o600);
    const key = await loadSigningKey({ env });
    assert.equal(key?.privateKey.asymmetricKeyType, 'ed25519');
    assert.equal(key?.keyId, made.keyId);
    const trusted = await trustedKeys([], env);
    assert.equal(keyIdOf(trusted.keys[0]!), made.keyId);
    assert.deepEqual(trusted.from, [made.publicKey]);
  });

  it('refuses a private key others can read, saying how to fix it', async function () {
    const made = await initKeys({ env });
    await chmod(made.privateKey, 0o644);
    await assert.rejects(loadSigningKey({ env }), (err: Error & { code?: string }) => err.code === 'KEY_PERMISSIONS' && err.message.includes(`chmod 600 ${made.privateKey}`));
  });

  it('refuses a private key inside the results folder', async function () {
    const made = await initKeys({ env, dir: path.join(dir, 'results', 'keys') });
    await assert.rejects(loadSigningKey({ env, resultsRoot: path.join(dir, 'results') }), (err: Error & { code?: string }) => err.code === 'KEY_IN_RESULTS' && err.message.includes(made.privateKey));
  });

  it('takes RESTORE_DRILL_KEY over the config, and names it when it is missing', async function () {
    await initKeys({ env });
    const missing = path.join(dir, 'nowhere.pem');
    await assert.rejects(loadSigningKey({ env: { ...env, RESTORE_DRILL_KEY: missing } }), new RegExp(`${missing} \\(from RESTORE_DRILL_KEY\\) cannot be read`));
  });

  it('puts the anchor beside the private key, unless RESTORE_DRILL_ANCHOR or the config\'s evidence.anchor names another', async function () {
    const made = await initKeys({ env });
    assert.deepEqual((await loadSigningKey({ env }))?.anchor, { path: path.join(path.dirname(made.privateKey), 'evidence-anchor.log'), from: 'beside the signing key' });
    const config = JSON.parse(await readFile(made.config, 'utf8'));
    await writeFile(made.config, JSON.stringify({ ...config, evidence: { ...config.evidence, anchor: '../worm/anchor.log' } }));
    assert.equal((await anchorLocation(env))?.path, path.join(dir, 'worm', 'anchor.log'));
    assert.equal((await anchorLocation({ ...env, RESTORE_DRILL_ANCHOR: path.join(dir, 'a.log') }))?.from, 'RESTORE_DRILL_ANCHOR');
  });

  it('refuses an anchor inside the results folder, or one that cannot be appended to', async function () {
    await initKeys({ env });
    const inside = path.join(dir, 'results', 'anchor.log');
    await assert.rejects(loadSigningKey({ env: { ...env, RESTORE_DRILL_ANCHOR: inside }, resultsRoot: path.join(dir, 'results') }), (err: Error & { code?: string }) => err.code === 'ANCHOR_IN_RESULTS' && err.message.includes(inside));
    const unmounted = path.join(dir, 'worm', 'anchor.log');
    await assert.rejects(loadSigningKey({ env: { ...env, RESTORE_DRILL_ANCHOR: unmounted } }), (err: Error & { code?: string }) => err.code === 'ANCHOR_UNWRITABLE' && err.message.includes(unmounted));
  });
});

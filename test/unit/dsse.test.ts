import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { pae, signEnvelope, verifyEnvelope, asEnvelope } from '../../harness/evidence/dsse.ts';
import { keyIdOf } from '../../harness/evidence/keys.ts';

describe('unit: DSSE envelope', function () {
  it('encodes PAE exactly as the DSSE spec example', function () {
    // From the DSSE protocol document: PAE("http://example.com/HelloWorld", "hello world").
    assert.equal(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts bytes, not characters, in PAE lengths', function () {
    assert.equal(pae('t', Buffer.from('紹介状')).toString(), 'DSSEv1 1 t 9 紹介状');
  });

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');

  it('signs with Ed25519 and verifies with the public key', function () {
    const envelope = signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), privateKey);
    assert.equal(Buffer.from(envelope.payload, 'base64').toString(), '{"a":1}');
    assert.equal(envelope.signatures[0]!.keyid, keyIdOf(publicKey));
    assert.deepEqual(verifyEnvelope(envelope, [publicKey]), { ok: true, keyid: keyIdOf(publicKey) });
  });

  it('rejects a changed payload and a changed payload type', function () {
    const envelope = signEnvelope('application/vnd.in-toto+json', Buffer.from('{"a":1}'), privateKey);
    const payload = verifyEnvelope({ ...envelope, payload: Buffer.from('{"a":2}').toString('base64') }, [publicKey]);
    assert.equal(payload.ok, false);
    assert.match((payload as { problem: string }).problem, /changed after it was signed/);
    assert.equal(verifyEnvelope({ ...envelope, payloadType: 'text/plain' }, [publicKey]).ok, false);
  });

  it('says which key signed and which keys are trusted when the key is wrong', function () {
    const envelope = signEnvelope('t', Buffer.from('x'), privateKey);
    const check = verifyEnvelope(envelope, [other.publicKey]);
    assert.equal(check.ok, false);
    const problem = (check as { problem: string }).problem;
    assert.ok(problem.includes(keyIdOf(publicKey)) && problem.includes(keyIdOf(other.publicKey)), problem);
  });

  it('names the missing field of a malformed envelope', function () {
    assert.equal(asEnvelope({ payloadType: 't', payload: '!!', signatures: [] }), 'payload is missing or not base64');
    assert.equal(asEnvelope({ payloadType: 't', payload: 'eA==' }), 'signatures is missing or not a list');
  });
});

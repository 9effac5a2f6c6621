/**
 * DSSE (Dead Simple Signing Envelope, github.com/secure-systems-lab/dsse, protocol v1): the signature
 * covers PAE(payloadType, payload), never the JSON around it, so the envelope's formatting can change
 * without breaking the signature and the payload type cannot be swapped.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { keyIdOf } from './keys.ts';

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 (standard alphabet) of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

/**
 * Pre-Authentication Encoding, exactly as the DSSE spec defines it:
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte length in ASCII decimal.
 */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/** Signs payload with an Ed25519 private key. */
export function signEnvelope(payloadType: string, payload: Buffer, privateKey: KeyObject): DsseEnvelope {
  const sig = sign(null, pae(payloadType, payload), privateKey);
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: keyIdOf(createPublicKey(privateKey)), sig: sig.toString('base64') }],
  };
}

export type SignatureCheck =
  | { ok: true; keyid: string }
  | { ok: false; problem: string };

/** Whether some signature of the envelope verifies with one of the trusted public keys. */
export function verifyEnvelope(envelope: DsseEnvelope, trusted: KeyObject[]): SignatureCheck {
  if (envelope.signatures.length === 0) return { ok: false, problem: 'the envelope has no signature' };
  const payload = Buffer.from(envelope.payload, 'base64');
  const message = pae(envelope.payloadType, payload);
  const trustedIds = trusted.map(keyIdOf);
  for (const signature of envelope.signatures) {
    for (const key of trusted) {
      if (verify(null, message, key, Buffer.from(signature.sig, 'base64'))) return { ok: true, keyid: keyIdOf(key) };
    }
  }
  const signedBy = envelope.signatures.map((s) => s.keyid || '(no keyid)').join(', ');
  const known = envelope.signatures.some((s) => trustedIds.includes(s.keyid));
  return {
    ok: false,
    problem: known
      ? `the signature by ${signedBy} does not match the content: the evidence was changed after it was signed`
      : `it is signed by key ${signedBy}, which is not a trusted key (trusted: ${trustedIds.join(', ') || 'none'}); the signature does not verify with any trusted key`,
  };
}

/** Reads an envelope from parsed JSON, or says which field is wrong. */
export function asEnvelope(value: unknown): DsseEnvelope | string {
  if (!value || typeof value !== 'object') return 'it is not a JSON object';
  const v = value as Record<string, unknown>;
  if (typeof v.payloadType !== 'string') return 'payloadType is missing or not a string';
  if (typeof v.payload !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v.payload)) return 'payload is missing or not base64';
  if (!Array.isArray(v.signatures)) return 'signatures is missing or not a list';
  for (const [i, s] of v.signatures.entries()) {
    if (!s || typeof s !== 'object' || typeof (s as DsseSignature).sig !== 'string') return `signatures[${i}].sig is missing`;
  }
  return { payloadType: v.payloadType, payload: v.payload, signatures: v.signatures as DsseSignature[] };
}

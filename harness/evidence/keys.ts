/**
 * The evidence signing key: an Ed25519 pair made by `restore-drill keys init`. The private key lives in
 * the user's configuration folder (file mode 0600), never inside a results tree; its path is found
 * through RESTORE_DRILL_KEY, else the config file (RESTORE_DRILL_CONFIG, else
 * ~/.config/restore-drill/config.json on Linux). The evidence anchor (anchor.ts) lives beside it unless
 * RESTORE_DRILL_ANCHOR or the config's evidence.anchor puts it elsewhere (a write-once share).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { access, chmod, constants, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import { KeyError, UsageError, errorMessage } from '../errors.ts';

export interface EvidenceConfig {
  evidence?: { privateKey?: string; publicKey?: string; anchor?: string };
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** Where the private key was found, for messages (never written to results). */
  from: string;
  /** The anchor log every signed run is appended to. */
  anchor: AnchorLocation;
}

export interface AnchorLocation {
  path: string;
  /** RESTORE_DRILL_ANCHOR, the config file, or "beside the signing key". */
  from: string;
  /** Named by the operator (env or config), not the default: then a missing file is a problem, not "no anchor". */
  explicit?: boolean;
}

export const ANCHOR_FILE = 'evidence-anchor.log';

/** Where the anchor is: RESTORE_DRILL_ANCHOR, else the config's evidence.anchor, else beside the private key. */
export async function anchorLocation(env: NodeJS.ProcessEnv = process.env): Promise<AnchorLocation | undefined> {
  if (env.RESTORE_DRILL_ANCHOR) return { path: path.resolve(env.RESTORE_DRILL_ANCHOR), from: 'RESTORE_DRILL_ANCHOR', explicit: true };
  const { file, config } = await readConfig(env);
  if (config.evidence?.anchor) return { path: path.resolve(path.dirname(file), config.evidence.anchor), from: file, explicit: true };
  const key = await privateKeyPath(env);
  return key ? { path: path.join(path.dirname(key.path), ANCHOR_FILE), from: 'beside the signing key' } : undefined;
}

/** sha256 of the public key's SubjectPublicKeyInfo (DER), as "sha256:<hex>": names the key in envelopes. */
export function keyIdOf(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RESTORE_DRILL_CONFIG ?? path.join(envPaths('restore-drill', { suffix: '' }).config, 'config.json');
}

export async function readConfig(env: NodeJS.ProcessEnv = process.env): Promise<{ file: string; config: EvidenceConfig }> {
  const file = configPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, config: {} };
    throw new KeyError('CONFIG_UNREADABLE', `The configuration file ${file} cannot be read: ${errorMessage(err)}`);
  }
  try {
    return { file, config: JSON.parse(text) as EvidenceConfig };
  } catch (err) {
    throw new KeyError('CONFIG_INVALID', `The configuration file ${file} is not valid JSON (${errorMessage(err)}). Fix it, or remove it and run: restore-drill keys init`);
  }
}

/** The configured private key path, or undefined when no key is configured. */
export async function privateKeyPath(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; from: string } | undefined> {
  if (env.RESTORE_DRILL_KEY) return { path: path.resolve(env.RESTORE_DRILL_KEY), from: 'RESTORE_DRILL_KEY' };
  const { file, config } = await readConfig(env);
  const key = config.evidence?.privateKey;
  return key ? { path: path.resolve(path.dirname(file), key), from: file } : undefined;
}

/** Loads the signing key, or undefined when none is configured. Refuses a key kept inside the results tree. */
export async function loadSigningKey(options: { resultsRoot?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SigningKey | undefined> {
  const where = await privateKeyPath(options.env);
  if (!where) return undefined;
  if (options.resultsRoot && isInside(where.path, path.resolve(options.resultsRoot))) {
    throw new KeyError('KEY_IN_RESULTS', `The evidence signing key ${where.path} (from ${where.from}) is inside the results folder ${options.resultsRoot}. Results are shared with auditors; move the key elsewhere (restore-drill keys init makes one in the configuration folder).`);
  }
  let pem: string;
  try {
    pem = await readFile(where.path, 'utf8');
  } catch (err) {
    throw new KeyError('KEY_UNREADABLE', `The evidence signing key ${where.path} (from ${where.from}) cannot be read: ${errorMessage(err)}. Run restore-drill keys init to make one, or fix the path.`);
  }
  const mode = (await stat(where.path)).mode & 0o077;
  if (mode !== 0 && process.platform !== 'win32') {
    throw new KeyError('KEY_PERMISSIONS', `The evidence signing key ${where.path} can be read by other users (mode ${((await stat(where.path)).mode & 0o777).toString(8)}). Run: chmod 600 ${where.path}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new KeyError('KEY_INVALID', `The evidence signing key ${where.path} is not a PEM private key: ${errorMessage(err)}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new KeyError('KEY_NOT_ED25519', `The evidence signing key ${where.path} is a ${privateKey.asymmetricKeyType} key; evidence is signed with Ed25519. Run restore-drill keys init --force to make one.`);
  }
  const publicKey = createPublicKey(privateKey);
  const anchor = (await anchorLocation(options.env))!;
  await checkAnchorWritable(anchor, options.resultsRoot);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), from: where.from, anchor };
}

/** Before any drill: the anchor must lie outside the results and be appendable (the file, or a new one in its folder). */
async function checkAnchorWritable(anchor: AnchorLocation, resultsRoot: string | undefined): Promise<void> {
  if (resultsRoot && isInside(anchor.path, path.resolve(resultsRoot))) {
    throw new KeyError('ANCHOR_IN_RESULTS', `The evidence anchor ${anchor.path} (from ${anchor.from}) is inside the results folder ${resultsRoot}: whoever can delete results could cut it too. Put it beside the key or on write-once storage (RESTORE_DRILL_ANCHOR, or evidence.anchor in the configuration file).`);
  }
  const exists = await stat(anchor.path).then(() => true, () => false);
  try {
    await access(exists ? anchor.path : path.dirname(anchor.path), constants.W_OK);
  } catch (err) {
    throw new KeyError('ANCHOR_UNWRITABLE', `The evidence anchor ${anchor.path} (from ${anchor.from}) cannot be written: ${errorMessage(err)}. Every signed run appends to it; mount or make its folder, or point RESTORE_DRILL_ANCHOR (or evidence.anchor in the configuration file) at a file that can be appended to.`);
  }
}

/** Reads a public key (PEM, SPKI); a private key file is accepted too and its public half used. */
export async function loadPublicKey(file: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw new KeyError('KEY_UNREADABLE', `The public key ${file} cannot be read: ${errorMessage(err)}`);
  }
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key, not Ed25519`);
    return key;
  } catch (err) {
    throw new KeyError('KEY_INVALID', `The public key ${file} cannot be used: ${errorMessage(err)}`);
  }
}

/** The public keys `evidence verify` trusts: the --key files, else the configured key pair's public key. */
export async function trustedKeys(files: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ keys: KeyObject[]; from: string[] }> {
  if (files.length > 0) return { keys: await Promise.all(files.map(loadPublicKey)), from: files };
  const { file, config } = await readConfig(env);
  if (config.evidence?.publicKey) {
    const pub = path.resolve(path.dirname(file), config.evidence.publicKey);
    return { keys: [await loadPublicKey(pub)], from: [pub] };
  }
  const where = await privateKeyPath(env);
  if (where) return { keys: [await loadPublicKey(where.path)], from: [where.path] };
  throw new UsageError(`No public key to verify with: pass --key FILE (the signer's public key, e.g. evidence-ed25519.pub.pem), or configure a key pair with restore-drill keys init (config: ${file}).`);
}

export interface InitResult {
  privateKey: string;
  publicKey: string;
  config: string;
  keyId: string;
}

/** Makes a new key pair in the configuration folder and records it in the config file. */
export async function initKeys(options: { dir?: string; force?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<InitResult> {
  const env = options.env ?? process.env;
  const { file, config } = await readConfig(env);
  const dir = path.resolve(options.dir ?? path.join(path.dirname(file), 'keys'));
  const privatePath = path.join(dir, 'evidence-ed25519.pem');
  const publicPath = path.join(dir, 'evidence-ed25519.pub.pem');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: options.force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UsageError(`A signing key already exists at ${privatePath}. Evidence already signed with it stays verifiable only with its public key; to replace it anyway, run restore-drill keys init --force.`);
    }
    throw new KeyError('KEY_UNWRITABLE', `Cannot write the signing key ${privatePath}: ${errorMessage(err)}`);
  }
  await chmod(privatePath, 0o600);
  await writeFile(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  const next: EvidenceConfig = { ...config, evidence: { ...config.evidence, privateKey: privatePath, publicKey: publicPath } };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  return { privateKey: privatePath, publicKey: publicPath, config: file, keyId: keyIdOf(publicKey) };
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

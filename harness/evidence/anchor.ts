/**
 * The evidence anchor: a log kept outside the results folder (beside the signing key, or on write-once
 * storage), one line appended per signed run. The evidence chain alone cannot show that its newest runs,
 * or a whole scenario, were deleted; the anchor can, as long as it is not cut at its end too (that is
 * what append-only storage prevents).
 *
 * Each line is a JSON record {"entry": {...}, "keyid": "sha256:...", "sig": "<base64>"}: `sig` is Ed25519,
 * by the evidence key, over the DSSE pre-authentication encoding of ANCHOR_TYPE and the entry's JSON
 * exactly as written (JSON.stringify of the entry, its keys in the order below). The entry numbers its
 * line and names the sha256 of the line before it (its text, without the newline), so a line removed
 * or changed anywhere but at the end breaks the next line, and a changed line breaks its signature.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { KeyError, errorMessage } from '../errors.ts';
import { sha256Hex } from './digest.ts';
import { pae } from './dsse.ts';
import { anchorLocation, keyIdOf } from './keys.ts';

export const ANCHOR_TYPE = 'application/vnd.restore-drill.anchor-entry+json';

/** One signed run, as the anchor records it. */
export interface AnchorEntry {
  /** 1 for the anchor's first line, then 2, 3, ... */
  line: number;
  /** When the line was written (the end of the drill). */
  time: string;
  scenario: string;
  runId: string;
  /** The run's number in its scenario's evidence chain. */
  sequence: number;
  /** sha256 of the run's evidence.json: the chain head after this run. */
  evidence: { sha256: string };
  /** The results folder the run was written to, for people (verify matches runs by scenario and run id). */
  results: string;
  /** sha256 of the previous line's text; null on line 1. */
  previousLine: string | null;
}

export type AnchoredRun = Pick<AnchorEntry, 'scenario' | 'runId' | 'sequence' | 'evidence' | 'results'>;

/** The text of one line (no newline) for an entry, signed. */
export function anchorLine(entry: AnchorEntry, privateKey: KeyObject, publicKey: KeyObject): string {
  const ordered: AnchorEntry = {
    line: entry.line,
    time: entry.time,
    scenario: entry.scenario,
    runId: entry.runId,
    sequence: entry.sequence,
    evidence: { sha256: entry.evidence.sha256 },
    results: entry.results,
    previousLine: entry.previousLine,
  };
  const sig = sign(null, pae(ANCHOR_TYPE, Buffer.from(JSON.stringify(ordered), 'utf8')), privateKey);
  return JSON.stringify({ entry: ordered, keyid: keyIdOf(publicKey), sig: sig.toString('base64') });
}

export interface AnchorRead {
  file: string;
  /** Lines read (a last line without its newline counts). */
  lines: number;
  /** The entries whose signature verified, in line order. */
  entries: AnchorEntry[];
  /** One sentence per broken line. */
  problems: string[];
}

/** Reads the anchor file; a file that cannot be read is an error (exit 3), not "no anchor". */
export async function readAnchor(file: string, trusted: KeyObject[]): Promise<AnchorRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new KeyError('ANCHOR_UNREADABLE', `The evidence anchor ${file} cannot be read: ${errorMessage(err)}. Give the anchor the runs were appended to (--anchor FILE), or --no-anchor to verify the files alone.`);
  }
  return { file, ...parseAnchor(text, trusted) };
}

/**
 * The anchor `evidence verify` reads: --anchor FILE; none with --no-anchor; else the configured one
 * (RESTORE_DRILL_ANCHOR, evidence.anchor: it must be readable), else the one beside the signing key if
 * it is there. Without one, `why` says so.
 */
export async function findAnchor(flag: string | boolean | undefined, trusted: KeyObject[], env: NodeJS.ProcessEnv = process.env): Promise<{ read?: AnchorRead; why?: string }> {
  if (flag === false) return { why: 'no anchor was read (--no-anchor)' };
  if (typeof flag === 'string') return { read: await readAnchor(flag, trusted) };
  const where = await anchorLocation(env);
  if (!where) return { why: 'no anchor is configured (pass --anchor FILE: the evidence-anchor.log the runs were appended to)' };
  if (where.explicit || (await stat(where.path).then(() => true, () => false))) return { read: await readAnchor(where.path, trusted) };
  return { why: `no anchor at ${where.path} (${where.from}); pass --anchor FILE` };
}

/** Checks every line: record shape, signature, number, link to the line before. */
export function parseAnchor(text: string, trusted: KeyObject[]): Omit<AnchorRead, 'file'> {
  const lines = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const entries: AnchorEntry[] = [];
  const problems: string[] = [];
  for (const [index, line] of lines.entries()) {
    const at = index + 1;
    const record = asRecord(line);
    if (typeof record === 'string') {
      problems.push(`line ${at} is not an anchor record: ${record}`);
      continue;
    }
    const { entry } = record;
    const wrong: string[] = [];
    const signature = checkSignature(record, trusted);
    if (signature) wrong.push(signature);
    const link = linkProblem(entry, index, lines, index > 0 ? asRecord(lines[index - 1]!) : undefined);
    if (link) wrong.push(link);
    if (wrong.length > 0) problems.push(`line ${at} ${wrong.join('; and it ')} (it names ${entry.scenario}/${entry.runId})`);
    if (!signature) entries.push(entry);
  }
  return { lines: lines.length, entries, problems };
}

/** Whether a line numbers itself after the line before it and names that line's digest; or what was done. */
function linkProblem(entry: AnchorEntry, index: number, lines: string[], before: AnchorRecord | string | undefined): string | undefined {
  if (index === 0) {
    return entry.line === 1 && entry.previousLine === null ? undefined : `records itself as line ${entry.line} and names a line before it: the anchor's first line(s) were removed`;
  }
  const at = index + 1;
  const previousNumber = typeof before === 'object' ? before.entry.line : at - 1;
  const numbered = entry.line === previousNumber + 1;
  if (entry.previousLine === sha256Hex(lines[index - 1]!)) return numbered ? undefined : `records itself as line ${entry.line} after line ${previousNumber}: lines were removed or inserted`;
  if (numbered || entry.line <= previousNumber) return `does not follow line ${at - 1}: line ${at - 1} was changed or inserted`;
  const gone = entry.line - previousNumber - 1 === 1 ? `line ${previousNumber + 1} was removed` : `lines ${previousNumber + 1}-${entry.line - 1} were removed`;
  return `records itself as line ${entry.line} and does not follow line ${at - 1}: ${gone}, or line ${at - 1} was changed`;
}

interface AnchorRecord {
  entry: AnchorEntry;
  keyid: string;
  sig: string;
}

function checkSignature(record: AnchorRecord, trusted: KeyObject[]): string | undefined {
  const message = pae(ANCHOR_TYPE, Buffer.from(JSON.stringify(record.entry), 'utf8'));
  const sig = Buffer.from(record.sig, 'base64');
  if (trusted.some((key) => verify(null, message, key, sig))) return undefined;
  const trustedIds = trusted.map(keyIdOf);
  if (trustedIds.includes(record.keyid)) return 'has a signature that does not match: the line was changed after it was written';
  return `is signed by key ${record.keyid}, which is not a trusted key (trusted: ${trustedIds.join(', ') || 'none'})`;
}

/** Reads one line as a record, or says what is wrong with it. */
function asRecord(line: string): AnchorRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'it is not JSON (a cut-off write, or an edit)';
  }
  const v = value as Partial<AnchorRecord> | null;
  const e = v?.entry as Partial<AnchorEntry> | undefined;
  if (!v || typeof v !== 'object' || !e || typeof e !== 'object') return 'entry is missing';
  if (!Number.isInteger(e.line)) return 'entry.line is missing';
  for (const field of ['time', 'scenario', 'runId', 'results'] as const) if (typeof e[field] !== 'string') return `entry.${field} is missing`;
  if (!Number.isInteger(e.sequence)) return 'entry.sequence is missing';
  if (typeof e.evidence?.sha256 !== 'string') return 'entry.evidence.sha256 is missing';
  if (e.previousLine !== null && typeof e.previousLine !== 'string') return 'entry.previousLine is missing';
  if (typeof v.sig !== 'string' || typeof v.keyid !== 'string') return 'keyid or sig is missing';
  return v as AnchorRecord;
}

/**
 * Appends a signed run to the evidence anchor (anchor.ts). The file is opened O_APPEND and the line
 * written in one write, so an append-only file (chattr +a) or a write-once share accepts it; the file is
 * never rewritten or truncated. Drills of one process append one at a time (a queue); processes of one
 * host take a lock folder in the temporary folder (never beside the anchor: a write-once share may
 * refuse to delete it), so each line links to the line really before it.
 */
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeyError, errorMessage } from '../errors.ts';
import { processAlive } from '../sandboxes/process.ts';
import { anchorLine, type AnchoredRun, type AnchorEntry } from './anchor.ts';
import { sha256Hex } from './digest.ts';
import type { SigningKey } from './keys.ts';

const LOCK_WAIT_MS = 10_000;
const queues = new Map<string, Promise<unknown>>();

export function appendAnchor(file: string, run: AnchoredRun, key: SigningKey, now: () => Date = () => new Date()): Promise<AnchorEntry> {
  const absolute = path.resolve(file);
  const next = (queues.get(absolute) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => withHostLock(absolute, () => appendNow(absolute, run, key, now())));
  queues.set(absolute, next);
  return next;
}

async function appendNow(file: string, run: AnchoredRun, key: SigningKey, now: Date): Promise<AnchorEntry> {
  try {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const lines = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    const entry: AnchorEntry = { line: lines.length + 1, time: now.toISOString(), ...run, previousLine: lines.length ? sha256Hex(lines.at(-1)!) : null };
    // A write cut off before (no newline at the end) stays a line of its own, reported by verify.
    const cutOff = text !== '' && !text.endsWith('\n');
    const handle = await open(file, 'a', 0o644);
    try {
      await handle.write(`${cutOff ? '\n' : ''}${anchorLine(entry, key.privateKey, key.publicKey)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return entry;
  } catch (err) {
    throw new KeyError('ANCHOR_UNWRITABLE', `Cannot append ${run.scenario}/${run.runId} to the evidence anchor ${file}: ${errorMessage(err)}. Its evidence.json was written but is not anchored, so evidence verify will flag it. Fix the anchor's folder or permissions (RESTORE_DRILL_ANCHOR, or evidence.anchor in the configuration file).`);
  }
}

/** Runs fn holding a per-anchor lock folder of this host; a lock whose process is gone is taken over. */
async function withHostLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `restore-drill-anchor-${sha256Hex(file).slice(0, 16)}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => ''));
    if (owner > 0 && !processAlive(owner)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new KeyError('ANCHOR_LOCKED', `Another restore-drill${owner > 0 ? ` (pid ${owner})` : ''} has held the lock ${lock} of the evidence anchor ${file} for over ${LOCK_WAIT_MS / 1000} s. If none is running, remove ${lock}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  try {
    await writeFile(path.join(lock, 'pid'), String(process.pid));
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

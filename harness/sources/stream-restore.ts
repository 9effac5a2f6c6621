/**
 * A restore streamed out of the sandbox into the hashing tar extractor: a backup engine run with
 * execStream writes an archive (or one file's bytes) to stdout, and this process writes the files,
 * hashing them as it goes (known-digests.ts), so the files check reads nothing twice. The extractor
 * charges the restore budget and judges every entry (tar-extract.ts); when it refuses, the engine is
 * stopped. When the engine fails, its failure is what the caller reports, not the half-read stream's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DrillError } from '../errors.ts';
import type { DigestRecorder } from '../manifest/known-digests.ts';
import { budgetOf } from '../sandboxes/restore-budget.ts';
import type { ExecOptions, Sandbox, StreamedExec, StreamedExecResult } from '../sandboxes/sandbox.ts';
import type { RestoreProgress } from './source.ts';
import { TarExtractor, type Refusals } from './tar-extract.ts';
import type { TarEntry } from './tar-reader.ts';

/** How long an engine whose stream broke off gets to exit and say why. */
const FAILURE_GRACE_MS = 5000;

export type StreamingSandbox = Sandbox & Required<Pick<Sandbox, 'execStream'>>;

export function canStream(sandbox: Sandbox): sandbox is StreamingSandbox {
  return typeof sandbox.execStream === 'function';
}

export interface StreamRequest {
  sandbox: StreamingSandbox;
  command: string;
  exec: Omit<ExecOptions, 'signal'>;
  /** The folder (on this host) the entries are written under. */
  root: string;
  signal: AbortSignal;
  digests: DigestRecorder;
  onProgress(progress: RestoreProgress): void;
  /** The engine's output as entries: readTar for an archive, one entry for a file's bytes. */
  entries(stdout: AsyncIterable<Buffer>): AsyncIterable<TarEntry>;
}

export type StreamOutcome =
  | { ok: true; ended: StreamedExecResult; progress: RestoreProgress; refused: Refusals }
  /** The engine failed (its exit, its stderr): the caller names why; `broke` is what the stream's reader saw. */
  | { ok: false; ended: StreamedExecResult; broke?: unknown };

/**
 * Runs the command and extracts its output. Throws the extractor's own refusals (DrillErrors: the
 * budget, unsupported entries) after stopping the engine, and a stream that broke while the engine
 * exited 0 (the caller's archive error); returns the engine's end otherwise.
 */
export async function streamIntoExtractor(request: StreamRequest): Promise<StreamOutcome> {
  const stop = new AbortController();
  const signal = AbortSignal.any([request.signal, stop.signal]);
  const extractor = new TarExtractor({ root: request.root, budget: budgetOf(request.sandbox), signal, onProgress: request.onProgress, digests: request.digests });
  const stream = request.sandbox.execStream(request.command, { ...request.exec, signal });
  let progress: RestoreProgress;
  try {
    progress = await extractor.extract(request.entries(stream.stdout));
  } catch (err) {
    return await afterBreak(stream, stop, request.signal, err);
  }
  const ended = await stream.done;
  if (ended.exitCode !== 0 || ended.timedOut) return { ok: false, ended };
  return { ok: true, ended, progress, refused: extractor.refused };
}

async function afterBreak(stream: StreamedExec, stop: AbortController, outer: AbortSignal, err: unknown): Promise<StreamOutcome> {
  const stopped = async () => {
    stop.abort(err);
    await stream.done.catch(() => undefined);
  };
  if (outer.aborted) {
    await stopped();
    throw outer.reason;
  }
  if (err instanceof DrillError) {
    await stopped();
    throw err;
  }
  // The stream broke off: an engine that failed has closed its output and is exiting with why.
  const ended = await Promise.race([stream.done.catch(() => undefined), sleep(FAILURE_GRACE_MS, undefined, { ref: false })]);
  if (ended && (ended.exitCode !== 0 || ended.timedOut)) return { ok: false, ended, broke: err };
  if (!ended) await stopped();
  throw err;
}

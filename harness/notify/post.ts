/**
 * Posting one message to one webhook, with bounded retries: a few attempts, each with its own
 * timeout, a growing wait between them, and a 429's Retry-After honoured up to a cap. A server error,
 * a timeout, a refused connection and a 429 are retried; any other answer is final. Nothing here
 * throws: the outcome says whether the message got through, and why not, in words that never hold
 * the URL's path or query.
 */
import type { NotifyTarget } from './target.ts';

export interface PostPolicy {
  attempts: number;
  /** Per attempt, from the request to the end of the answer's headers. */
  timeoutMs: number;
  /** Wait before the second attempt; doubled for each later one. */
  backoffMs: number;
  /** The longest a Retry-After is waited for; a longer one is cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_POLICY: PostPolicy = { attempts: 3, timeoutMs: 10_000, backoffMs: 1_000, maxRetryAfterMs: 30_000 };

export type PostOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

export async function postMessage(target: NotifyTarget, body: unknown, policy: PostPolicy = DEFAULT_POLICY): Promise<PostOutcome> {
  const payload = JSON.stringify(body);
  let reason = 'not sent';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const answer = await attemptPost(target.url, payload, policy.timeoutMs);
    if (answer.ok) return { ok: true, attempts: attempt };
    reason = answer.reason;
    if (!answer.retry || attempt === policy.attempts) return { ok: false, attempts: attempt, reason };
    const backoff = policy.backoffMs * 2 ** (attempt - 1);
    await sleep(Math.min(answer.retryAfterMs ?? backoff, policy.maxRetryAfterMs));
  }
  return { ok: false, attempts: policy.attempts, reason };
}

type Answer = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

async function attemptPost(url: URL, payload: string, timeoutMs: number): Promise<Answer> {
  let response: Response;
  try {
    // A redirect is not followed: the body would go to wherever the answer points.
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, retry: true, reason: fetchFailure(err, timeoutMs) };
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const reason = `the webhook answered HTTP ${response.status}`;
  if (response.status === 429) return { ok: false, retry: true, reason, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
  return { ok: false, retry: response.status >= 500, reason };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function fetchFailure(err: unknown, timeoutMs: number): string {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs / 1000}s`;
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause;
  return `the webhook could not be reached (${cause?.code ?? 'connection failed'})`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * http: a request made from inside the sandbox to the restored service (curl on the sandbox's own
 * loopback, so no port is opened to the host), retried until it answers as expected or the deadline
 * comes: a readiness probe. A failure at the deadline carries the service's log tail.
 */
import { InfrastructureError } from '../errors.ts';
import type { HttpCheckSpec } from '../scenario/schema.ts';
import type { ExecResult, Sandbox } from '../sandboxes/sandbox.ts';
import { shellCommand } from '../shell.ts';
import { formatDuration } from '../units.ts';
import { checkResult, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';
import { judge } from './compare.ts';
import { requestThroughForward } from './http-forward.ts';
import { textMatcher } from './text-match.ts';

const BODY_SHOWN = 1000;
const LOG_LINES = 30;

export class HttpCheck implements Check<'http'> {
  readonly kind = 'http';
  readonly phase = 'ready';
  readonly name: string;
  private readonly spec: HttpCheckSpec;

  constructor(spec: HttpCheckSpec) {
    this.spec = spec;
    this.name = spec.name ?? `${spec.method} ${spec.url}`;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'http'>> {
    const started = context.clock.monotonic();
    const deadline = started + this.spec.until;
    let attempts = 0;
    let findings: Finding[];
    let answer: Answer;
    for (;;) {
      attempts++;
      answer = await this.request(context);
      findings = this.judge(answer);
      if (findings.length === 0 || context.clock.monotonic() + this.spec.interval > deadline) break;
      await context.clock.sleep(this.spec.interval, context.signal);
    }
    const waited = `after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${formatDuration(context.clock.monotonic() - started)}`;
    return checkResult(this, context.clock, {
      findings,
      passed: `answered as expected ${waited}`,
      failed: `not ready by the deadline (${formatDuration(this.spec.until)}): ${findings.map((f) => f.message).join('; ')}, ${waited}`,
      startedAt: started,
      details: { url: this.spec.url, attempts, status: answer.status ?? 0, body: answer.body.slice(0, BODY_SHOWN) },
      logTail: findings.length === 0 ? undefined : await this.logTail(context.sandbox, context.signal),
    });
  }

  private async request(context: CheckContext): Promise<Answer> {
    const forwarded = await requestThroughForward(this.spec, context.sandbox, context.signal);
    if (forwarded) return forwarded;
    const seconds = Math.max(1, Math.ceil(this.spec.timeout / 1000));
    const method = this.spec.method === 'HEAD' ? ['-I'] : ['-X', this.spec.method];
    const curl = `${shellCommand(['curl', '-sS', ...method, '--max-time', String(seconds), '-w', '%{http_code}', this.spec.url])} -o "$f"`;
    const command = `f=$(mktemp) || exit 90; code=$(${curl}); rc=$?; printf '%s\\n' "$code"; cat "$f"; rm -f "$f"; exit $rc`;
    const result = await context.sandbox.exec(command, { timeoutMs: this.spec.timeout + 5000, signal: context.signal, harnessCommand: true });
    if (result.exitCode === 127) throw new InfrastructureError('HTTP_CLIENT_MISSING', 'curl is not installed in the sandbox: http checks need it (restore-drill/base and the images built on it have it).');
    return answerOf(result);
  }

  private judge(answer: Answer): Finding[] {
    if (answer.error) return [{ rule: 'no-answer', message: `no answer from ${this.spec.url}: ${answer.error}` }];
    const findings: Finding[] = [];
    if (answer.status !== this.spec.status) {
      findings.push({ rule: 'status', message: `status ${answer.status}, expected ${this.spec.status}`, expected: this.spec.status, actual: answer.status });
    }
    if (this.spec.body !== undefined) {
      const matcher = textMatcher(this.spec.body);
      if (!matcher.test(answer.body)) findings.push({ rule: 'body', message: `the body ${matcher.failure}`, expected: this.spec.body, actual: answer.body.slice(0, BODY_SHOWN) });
    }
    if (this.spec.json !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.body);
      } catch {
        findings.push({ rule: 'json', message: 'the body is not JSON', actual: answer.body.slice(0, BODY_SHOWN) });
        return findings;
      }
      for (const [field, expected] of Object.entries(this.spec.json)) {
        const value = fieldOf(parsed, field);
        const verdict = judge(value, expected);
        if (!verdict.ok) findings.push({ rule: 'json', subject: field, message: `${field} is ${verdict.message}`, expected, actual: value });
      }
    }
    return findings;
  }

  private async logTail(sandbox: Sandbox, signal: AbortSignal): Promise<string | undefined> {
    if (this.spec.log === undefined) return (await sandbox.logTail(LOG_LINES)) || undefined;
    const result = await sandbox.exec(shellCommand(['tail', '-n', String(LOG_LINES), this.spec.log]), { timeoutMs: 10_000, signal, harnessCommand: true });
    return result.exitCode === 0 ? result.stdout : `(the log ${this.spec.log} could not be read: ${result.stderr.trim()})`;
  }
}

interface Answer {
  status?: number;
  body: string;
  error?: string;
}

function answerOf(result: ExecResult): Answer {
  const newline = result.stdout.indexOf('\n');
  const statusText = newline < 0 ? result.stdout : result.stdout.slice(0, newline);
  const body = newline < 0 ? '' : result.stdout.slice(newline + 1);
  if (result.timedOut) return { body, error: 'the request timed out' };
  if (result.exitCode !== 0) return { body, error: result.stderr.trim().split('\n').pop() || `curl exited ${result.exitCode}` };
  return { status: Number(statusText), body };
}

/** a.b.0.c: object keys and list indexes. */
export function fieldOf(value: unknown, field: string): unknown {
  let current = value;
  for (const key of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

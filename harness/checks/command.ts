/**
 * command: a command run inside the sandbox must exit as expected and print what is expected.
 * With `until`, it is retried until it passes or the deadline comes: a readiness probe.
 */
import type { CommandCheckSpec } from '../scenario/schema.ts';
import type { ExecResult } from '../sandboxes/sandbox.ts';
import { textTail } from '../secrets/text-tail.ts';
import { formatBytes, formatDuration } from '../units.ts';
import { checkResult, type Check, type CheckContext, type CheckResultOf, type Finding } from './check.ts';
import { textMatcher } from './text-match.ts';

const OUTPUT_SHOWN = 2000;
/** 128 + SIGKILL: what a shell reports for a process the kernel's OOM killer (or a kill -9) ended. */
const KILLED_EXIT = 137;

export class CommandCheck implements Check<'command'> {
  readonly kind = 'command';
  readonly phase = 'ready';
  readonly name: string;
  private readonly spec: CommandCheckSpec;
  /** The sandbox's memory limit (sandbox.memory), named when a command is killed. */
  private readonly memoryLimit: number | undefined;

  constructor(spec: CommandCheckSpec, limits: { memory?: number } = {}) {
    this.spec = spec;
    this.memoryLimit = limits.memory;
    this.name = spec.name ?? spec.run;
  }

  async run(context: CheckContext): Promise<CheckResultOf<'command'>> {
    const started = context.clock.monotonic();
    const deadline = started + (this.spec.until ?? 0);
    let attempts = 0;
    let findings: Finding[];
    let last: ExecResult;
    for (;;) {
      attempts++;
      last = await context.sandbox.exec(this.spec.run, { timeoutMs: this.spec.timeout, signal: context.signal });
      findings = this.judge(last);
      if (findings.length === 0 || context.clock.monotonic() + this.spec.interval > deadline) break;
      await context.clock.sleep(this.spec.interval, context.signal);
    }
    const waited = this.spec.until ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${formatDuration(context.clock.monotonic() - started)}` : '';
    return checkResult(this, context.clock, {
      findings,
      passed: `passed${waited}`,
      failed: `${findings.map((f) => f.message).join('; ')}${waited}`,
      startedAt: started,
      details: { attempts, exitCode: last.exitCode, stdout: tail(last.stdout), stderr: tail(last.stderr) },
      logTail: findings.length === 0 ? undefined : (await context.sandbox.logTail(20)) || undefined,
    });
  }

  private judge(result: ExecResult): Finding[] {
    const findings: Finding[] = [];
    if (result.timedOut) {
      findings.push({ rule: 'timeout', message: `did not finish within ${formatDuration(this.spec.timeout)}` });
      return findings;
    }
    if (result.exitCode !== this.spec.exit) {
      findings.push({ rule: 'exit-code', message: `exited ${result.exitCode}${this.killedHint(result.exitCode)}, expected ${this.spec.exit}`, expected: this.spec.exit, actual: result.exitCode });
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      const pattern = this.spec[stream];
      if (pattern === undefined) continue;
      const matcher = textMatcher(pattern);
      if (!matcher.test(result[stream])) {
        findings.push({ rule: 'output', subject: stream, message: `${stream} ${matcher.failure}`, expected: pattern, actual: tail(result[stream]) });
      }
    }
    return findings;
  }

  private killedHint(exitCode: number): string {
    if (exitCode !== KILLED_EXIT || this.spec.exit === KILLED_EXIT) return '';
    const limit = this.memoryLimit === undefined ? 'sandbox.memory' : `sandbox.memory, ${formatBytes(this.memoryLimit)}`;
    return ` (killed with SIGKILL: most often the sandbox's memory limit (${limit}) was reached; raise it if the restored system needs more)`;
  }
}

function tail(text: string): string {
  return textTail(text, OUTPUT_SHOWN);
}

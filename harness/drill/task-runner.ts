/**
 * A drill's phases as tasks (Playwright's task runner is the model): each phase is timed on the
 * monotonic clock and announced on the event stream; what a phase sets up pushes its teardown on a
 * stack, and the stack is unwound in reverse on every path, each teardown timed and announced too.
 * Every teardown error is kept, not only the first.
 */
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { DrillRef, Emit } from './events.ts';
import type { PhaseName, PhaseRecord } from './result.ts';

/** What a phase body may answer: 'failed' marks the phase failed without throwing (a check failed). */
export type PhaseOutcome = 'passed' | 'failed';

/** Runs one timed phase; phases that set things up use it through `TaskRunner.phase`. */
export type Timed = <T>(name: PhaseName, body: () => Promise<T>) => Promise<T>;

interface Teardown {
  what: string;
  run: () => Promise<void>;
}

export class TaskRunner {
  readonly phases: PhaseRecord[] = [];
  private readonly teardowns: Teardown[] = [];
  private readonly clock: Clock;
  private readonly emit: Emit;
  private readonly drill: DrillRef;
  private readonly signal: AbortSignal;

  constructor(options: { clock: Clock; emit: Emit; drill: DrillRef; signal: AbortSignal }) {
    this.clock = options.clock;
    this.emit = options.emit;
    this.drill = options.drill;
    this.signal = options.signal;
  }

  /** Runs a phase; it fails when the body throws, or answers 'failed' through `outcome`. */
  phase: Timed = async (name, body) => {
    this.signal.throwIfAborted();
    return this.timed(name, body);
  };

  /** Like `phase`, for bodies whose answer says whether the phase passed. */
  async judged(name: PhaseName, body: () => Promise<PhaseOutcome>): Promise<PhaseOutcome> {
    this.signal.throwIfAborted();
    return this.timed(name, body, (answer) => answer);
  }

  /** Puts a teardown on the stack: it runs after every phase, in reverse order of deferral. */
  defer(what: string, run: () => Promise<void>): void {
    this.teardowns.push({ what, run });
  }

  /** Unwinds the stack (in the 'teardown' phase when there is anything to tear down); returns every error. */
  async unwind(): Promise<Error[]> {
    if (this.teardowns.length === 0) return [];
    const errors: Error[] = [];
    await this.timed('teardown', async () => {
      while (this.teardowns.length > 0) {
        const teardown = this.teardowns.pop()!;
        try {
          await teardown.run();
        } catch (err) {
          errors.push(new Error(`${teardown.what}: ${errorMessage(err)}`, { cause: err }));
        }
      }
      if (errors.length > 0) throw errors[0];
    }).catch(() => undefined);
    return errors;
  }

  private async timed<T>(name: PhaseName, body: () => Promise<T>, judge: (answer: T) => PhaseOutcome = () => 'passed'): Promise<T> {
    const startedAt = this.clock.now().toISOString();
    const started = this.clock.monotonic();
    await this.emit({ type: 'phase:start', drill: this.drill, phase: name });
    let status: PhaseOutcome = 'failed';
    try {
      const answer = await body();
      status = judge(answer);
      return answer;
    } finally {
      const durationMs = this.clock.monotonic() - started;
      this.phases.push({ name, status, startedAt, durationMs });
      await this.emit({ type: 'phase:end', drill: this.drill, phase: name, status, durationMs });
    }
  }
}

/** Time is injected so that RTO/RPO logic and retry loops can be tested without sleeping. */
import { setTimeout as wallSleep } from 'node:timers/promises';

export interface Clock {
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  /** Wall-clock time, for timestamps and RPO. */
  now(): Date;
  /** Waits ms on this clock; rejects with the signal's reason when it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  monotonic: () => performance.now(),
  now: () => new Date(),
  sleep: (ms, signal) => wallSleep(ms, undefined, { signal }),
};

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  private elapsed = 0;
  private readonly start: number;
  constructor(start: Date = new Date('2026-01-01T00:00:00Z')) {
    this.start = start.getTime();
  }
  monotonic(): number {
    return this.elapsed;
  }
  now(): Date {
    return new Date(this.start + this.elapsed);
  }
  /** Moves the clock on by ms at once: a wait costs no real time. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.advance(ms);
  }
  advance(ms: number): void {
    this.elapsed += ms;
  }
}

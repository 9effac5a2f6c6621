/** Time is injected so that RTO/RPO logic can be tested without sleeping. */
export interface Clock {
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  /** Wall-clock time, for timestamps and RPO. */
  now(): Date;
}

export const systemClock: Clock = {
  monotonic: () => performance.now(),
  now: () => new Date(),
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
  advance(ms: number): void {
    this.elapsed += ms;
  }
}

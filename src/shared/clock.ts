/**
 * The register's one source of the current time. Services, jobs and routes take `now` from a
 * `Clock` handed to them (AppDependencies.clock, the CLI's clock), so tests can set the time
 * instead of seeding dates relative to the machine's. This module is the only place that reads
 * the machine's clock; a lint rule forbids `new Date()` without arguments and `Date.now()`
 * everywhere else in src/.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock that stands still at `instant` until moved: for tests and for replaying a date. */
export class FixedClock implements Clock {
  private current: number;

  constructor(instant: Date | string) {
    this.current = new Date(instant).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock to `instant`. */
  set(instant: Date | string): void {
    this.current = new Date(instant).getTime();
  }

  /** Moves the clock forward by `milliseconds`. */
  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}

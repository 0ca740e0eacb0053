import type { DataSource, EntityManager } from 'typeorm';
import { OverloadedError } from '../shared/errors';
import { databasePool } from './data-source';

/** How heavy work shares the pool: a percentage of its connections, and how long a job may wait. */
export interface HeavyWorkLimits {
  sharePercent: number;
  waitSeconds: number;
}

const DEFAULT_LIMITS: HeavyWorkLimits = { sharePercent: 50, waitSeconds: 10 };

/** Jobs that may wait per place of a gate; beyond that, refused at once. */
const QUEUE_PER_PLACE = 8;

/**
 * At most ⌊share × pool size⌋ (at least one) connections of an instance's pool for heavy work —
 * bulk checks, full downloads streamed from a cursor — so a lookup always finds a connection free
 * however many heavy requests come in. A job waits its turn at most `waitSeconds` (and the queue is
 * bounded); then it is refused with OverloadedError (503 with Retry-After), never by exhausting the
 * pool. Per instance: every instance has its own pool.
 */
export class HeavyWorkGate {
  private running = 0;
  private readonly waiting: { admit: () => void }[] = [];

  constructor(
    private readonly capacity: number,
    private readonly waitMs: number,
  ) {}

  /** The connections heavy work may hold at once. */
  get size(): number {
    return this.capacity;
  }

  /** Jobs holding a connection now, and jobs waiting for one. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Takes a place (waiting for one when all are held); answers the function that gives it back. */
  async acquire(): Promise<() => void> {
    if (this.running < this.capacity) {
      this.running++;
      return this.releaser();
    }
    const retryAfter = Math.max(1, Math.ceil(this.waitMs / 1000));
    if (this.waitMs === 0 || this.waiting.length >= Math.max(16, this.capacity * QUEUE_PER_PLACE))
      throw new OverloadedError(retryAfter);
    await new Promise<void>((resolve, reject) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(new OverloadedError(retryAfter));
      }, this.waitMs);
      this.waiting.push(entry);
    });
    // The place was handed over by the job before it: `running` already counts this one.
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.admit();
      else this.running--;
    };
  }
}

const limitsOf = new WeakMap<DataSource, HeavyWorkLimits>();
const gates = new WeakMap<DataSource, HeavyWorkGate>();

/** Sets how heavy work on `dataSource` shares its pool (from the configuration, when the app is made). */
export function limitHeavyWork(dataSource: DataSource, limits: HeavyWorkLimits): void {
  limitsOf.set(dataSource, limits);
  gates.delete(dataSource);
  turnGates.delete(dataSource);
}

const turnGates = new WeakMap<DataSource, HeavyWorkGate>();

/**
 * Heavy work that also computes for long (a bulk check turns thousands of histories into answers)
 * takes turns on an instance: one at a time, so a lookup waits behind the slices of at most one
 * such job rather than of every one running. It waits as long as heavy work waits for the pool.
 */
export function heavyComputeTurn(dataSource: DataSource): HeavyWorkGate {
  let gate = turnGates.get(dataSource);
  if (!gate) {
    gate = new HeavyWorkGate(1, (limitsOf.get(dataSource) ?? DEFAULT_LIMITS).waitSeconds * 1000);
    turnGates.set(dataSource, gate);
  }
  return gate;
}

/** The gate of heavy work on `dataSource`'s pool (made on first use, sized from the pool). */
export function heavyWorkGate(dataSource: DataSource): HeavyWorkGate {
  let gate = gates.get(dataSource);
  if (!gate) {
    const { sharePercent, waitSeconds } = limitsOf.get(dataSource) ?? DEFAULT_LIMITS;
    const poolSize = databasePool(dataSource).options.max ?? 10;
    gate = new HeavyWorkGate(Math.max(1, Math.floor((sharePercent * poolSize) / 100)), waitSeconds * 1000);
    gates.set(dataSource, gate);
  }
  return gate;
}

/**
 * Runs heavy `work` on one connection of its own, inside the heavy share of the pool: every query of
 * the work goes through `manager`, so the job never holds more than that one connection.
 */
export async function withHeavyConnection<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const release = await heavyWorkGate(dataSource).acquire();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    return await work(runner.manager);
  } finally {
    await runner.release();
    release();
  }
}

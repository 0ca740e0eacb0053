import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { refreshDueBatch } from '../status/status-snapshot.service';
import { startPeriodic } from './periodic';

/**
 * Due snapshots one batch recomputes: a batch is one transaction, and its rules run on the same
 * event loop as the requests, so a batch stays short (tens of milliseconds) and requests are
 * answered between batches.
 */
export const SNAPSHOT_BATCH = 100;

/**
 * Recomputes every due status snapshot, batch by batch, each batch at the clock's current instant,
 * on whichever instance gets the lock: a batch that finds the lock taken (another instance, the
 * daily work, or a read refreshing a few) stops this run, the holder does the work. Answers how
 * many it refreshed, and false in `ran` when another held the lock.
 */
export async function refreshDueSnapshotsInBackground(
  dataSource: DataSource,
  clock: Clock,
  batch = SNAPSHOT_BATCH,
): Promise<{ ran: boolean; refreshed: number }> {
  let refreshed = 0;
  for (;;) {
    const done = await refreshDueBatch(dataSource, () => clock.now(), batch, false);
    if (done < 0) return { ran: refreshed > 0, refreshed };
    refreshed += done;
    if (done < batch) return { ran: true, refreshed };
    // Let waiting requests in before the next batch.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Looks for due status snapshots every `intervalSeconds` on this instance and recomputes them in
 * the background (one instance at a time does the work); 0: never. Reads meanwhile show the status
 * of their rows at the request's instant, but counts and filters by status may be behind by up to
 * this interval plus the time the refresh takes. Answers a function that stops it.
 */
export function startSnapshotRefresh(
  dataSource: DataSource,
  intervalSeconds: number,
  logger: Logger,
  clock: Clock,
): () => Promise<void> {
  return startPeriodic(
    intervalSeconds,
    async () => {
      const started = performance.now();
      const { refreshed } = await refreshDueSnapshotsInBackground(dataSource, clock);
      if (refreshed > 0)
        logger.info(
          { job: 'status-snapshots', refreshed, ms: Math.round(performance.now() - started) },
          'snapshots refreshed',
        );
    },
    logger,
    'snapshot refresh failed; it is tried again at the next tick',
  );
}

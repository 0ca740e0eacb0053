import type { DataSource } from 'typeorm';
import type { ReviewerNotification } from '../config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { runDueJobs } from './daily-jobs';

/**
 * Looks for due scheduled work every `intervalSeconds` on this instance. Every instance may do
 * this: the jobs themselves make sure each runs once per period. Answers a function that stops it.
 */
export function startScheduler(
  dataSource: DataSource,
  publicBaseUrl: string,
  intervalSeconds: number,
  logger: Logger,
  clock: Clock,
  startingNotification: ReviewerNotification = 'each',
): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = runDueJobs(dataSource, publicBaseUrl, clock.now(), startingNotification)
      .then(({ daily, weekly }) => {
        if (daily.ran) logger.info({ job: 'daily', result: daily.result }, 'scheduled job ran');
        if (weekly.ran) logger.info({ job: 'weekly-digest', result: weekly.result }, 'scheduled job ran');
      })
      .catch((error: unknown) =>
        logger.error({ err: error }, 'scheduled job failed; it is tried again at the next tick'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  setTimeout(tick, 1000).unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

import type { DataSource } from 'typeorm';
import type { ReviewerNotification } from '../config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { runDueJobs } from './daily-jobs';
import { dailySummary, weeklySummary } from './job-summary';
import { startPeriodic } from './periodic';

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
  listingEndNoticeDays?: number,
  signalReminderDays?: readonly number[],
): () => Promise<void> {
  return startPeriodic(
    intervalSeconds,
    async () => {
      const { daily, weekly } = await runDueJobs(
        dataSource,
        publicBaseUrl,
        clock.now(),
        startingNotification,
        listingEndNoticeDays,
        signalReminderDays,
      );
      if (daily.ran) logger.info({ job: 'daily', result: daily.result }, dailySummary(daily.result ?? {}));
      if (weekly.ran)
        logger.info({ job: 'weekly-digest', result: weekly.result }, weeklySummary(weekly.result ?? {}));
    },
    logger,
    'scheduled job failed; it is tried again at the next tick',
  );
}

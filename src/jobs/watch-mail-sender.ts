import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { mailWatchNotificationsAtOnce } from '../watch/watch-mail';
import { startPeriodic } from './periodic';

/**
 * Every `intervalSeconds`, writes the mails of buyers who want to hear at once of a change at a
 * watched supplier (issue 18) to the outbox, batch after batch until none is left; 0: never.
 * Every instance may run it: the notifications are claimed with SKIP LOCKED. Answers a function
 * that stops it.
 */
export function startWatchMailSender(
  dataSource: DataSource,
  publicBaseUrl: string,
  intervalSeconds: number,
  logger: Logger,
  clock: Clock,
): () => Promise<void> {
  return startPeriodic(
    intervalSeconds,
    async () => {
      let mails = 0;
      for (;;) {
        const batch = await mailWatchNotificationsAtOnce(dataSource, publicBaseUrl, () => clock.now());
        if (batch.notifications === 0) break;
        mails += batch.mails;
      }
      if (mails > 0) logger.info({ job: 'watch-mail', mails }, 'watch mails written to the outbox');
    },
    logger,
    'watch mail failed; it is tried again at the next tick',
  );
}

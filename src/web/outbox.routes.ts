import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole } from './auth';
import type { Config } from '../config';
import { paths } from '../shared/paths';
import { OutboxMail } from '../mail/outbox-mail.entity';

/**
 * Administrators see whether mail goes out: who, what subject, when, how many tries. Never a body:
 * bodies hold single-use links (password reset, invitation) that only their recipient may use.
 */
export function outboxRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();

  router.get(paths.outbox, ...requireRole(config, 'admin'), async (_req, res) => {
    // Metadata only: the body (with its single-use links) is never read for this page.
    const mails: Pick<
      OutboxMail,
      'id' | 'recipient' | 'subject' | 'createdAt' | 'sentAt' | 'attempts' | 'lastError'
    >[] = await dataSource.getRepository(OutboxMail).find({
      select: {
        id: true,
        recipient: true,
        subject: true,
        createdAt: true,
        sentAt: true,
        attempts: true,
        lastError: true,
      },
      order: { id: 'DESC' },
      take: 100,
    });
    res.render('mail/outbox', { title: 'outbox.title', mails });
  });

  return router;
}

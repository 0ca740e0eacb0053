import type { DataSource, EntityManager } from 'typeorm';
import { allowLongWork } from '../database/limits';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { maskSingleUseLinks } from '../shared/single-use-links';
import { OutboxMail } from './outbox-mail.entity';
import { activeProviderUserEmails, activeProviderUsersEmails, activeReviewerEmails } from './mail.queries';

export interface Mail {
  to: string;
  subject: string;
  body: string;
}

/** Writes a mail to the outbox in the caller's transaction: it goes out only if the change commits. */
export async function queueMail(manager: EntityManager, mail: Mail): Promise<void> {
  await manager.insert(OutboxMail, { recipient: mail.to, subject: mail.subject, body: mail.body });
}

/** Something that sends one mail (nodemailer's transporter has this shape). */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
}

/**
 * Sends unsent mail from the outbox. Rows are claimed with SKIP LOCKED, so several instances can
 * run this at once without sending a mail twice. Once a mail is delivered, the secret of every
 * single-use link in its stored body is masked: only the recipient's copy can be used. Answers how
 * many were sent.
 */
export async function deliverOutbox(
  dataSource: DataSource,
  transport: MailTransport,
  from: string,
  logger: Logger,
  clock: Clock,
  batchSize = 20,
): Promise<number> {
  return dataSource.transaction(async (m) => {
    // The transaction waits on the mail server between its statements: the long limit.
    await allowLongWork(m);
    const batch = await m
      .getRepository(OutboxMail)
      .createQueryBuilder('o')
      .where('o.sent_at IS NULL AND o.attempts < 10')
      .orderBy('o.id', 'ASC')
      .limit(batchSize)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    let sent = 0;
    for (const mail of batch) {
      try {
        await transport.sendMail({ from, to: mail.recipient, subject: mail.subject, text: mail.body });
        await m.update(OutboxMail, mail.id, {
          sentAt: clock.now(),
          attempts: mail.attempts + 1,
          lastError: null,
          body: maskSingleUseLinks(mail.body),
        });
        sent++;
      } catch (error) {
        logger.warn({ err: error, outboxId: mail.id }, 'mail could not be sent; will retry');
        await m.update(OutboxMail, mail.id, {
          attempts: mail.attempts + 1,
          lastError: String(error).slice(0, 500),
        });
      }
    }
    return sent;
  });
}

/** Writes one mail to every active user of a provider, in the caller's transaction; answers how many. */
export async function mailProviderUsers(
  manager: EntityManager,
  providerId: string,
  mail: (to: string) => Mail,
): Promise<number> {
  const addresses = await activeProviderUserEmails(manager, providerId);
  for (const address of addresses) await queueMail(manager, mail(address));
  return addresses.length;
}

/**
 * Writes a mail to every active user of each of these providers, in the caller's transaction, in
 * one insert; answers how many each provider's users were sent (0 for a provider without any).
 */
export async function mailUsersOfProviders(
  manager: EntityManager,
  providerIds: string[],
  mail: (providerId: string, to: string) => Mail,
): Promise<Map<string, number>> {
  const addresses = await activeProviderUsersEmails(manager, providerIds);
  const mails = providerIds.flatMap((id) => (addresses.get(id) ?? []).map((to) => mail(id, to)));
  if (mails.length > 0)
    await manager.insert(
      OutboxMail,
      mails.map((m) => ({ recipient: m.to, subject: m.subject, body: m.body })),
    );
  return new Map(providerIds.map((id) => [id, addresses.get(id)?.length ?? 0]));
}

/**
 * Writes one mail to every active reviewer (but those of `exceptProviderId`), in the caller's
 * transaction; answers how many. With `preferredReviewerId` (the reviewer who handles an
 * application) only that reviewer, while still an active reviewer; else every one.
 */
export async function mailReviewers(
  manager: EntityManager,
  mail: (to: string) => Mail,
  exceptProviderId?: string,
  preferredReviewerId?: string | null,
): Promise<number> {
  const preferred = preferredReviewerId
    ? await activeReviewerEmails(manager, exceptProviderId, preferredReviewerId)
    : [];
  const addresses = preferred.length > 0 ? preferred : await activeReviewerEmails(manager, exceptProviderId);
  for (const address of addresses) await queueMail(manager, mail(address));
  return addresses.length;
}

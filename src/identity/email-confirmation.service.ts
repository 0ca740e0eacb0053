import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import type { Mail } from '../mail/mail.service';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { paths } from '../shared/paths';
import type { AccountToken } from './account-token.entity';
import { claimToken, issueToken, tokenState } from './account-token.service';
import { linksSentInLastHour, useUpLinks } from './account.queries';
import { needsEmailConfirmation, User } from './user.entity';

/*
 * Issue 17 §2: a password account first confirms its e-mail address through a single-use link,
 * valid 24 hours; until then it can do nothing (see needsEmailConfirmation). Only the link's hash
 * is stored. The link's page confirms on a button, never on GET: mail scanners open links.
 */

export const EMAIL_CONFIRMATION_HOURS = 24;
/** Confirmation mails one account gets per hour at most, however often someone asks (registration, login). */
export const CONFIRMATION_MAILS_PER_HOUR = 3;

/** How the address came to be confirmed, as its audit event says. */
export type ConfirmationWay = 'link' | 'password_reset';

/**
 * Issues a confirmation link for the account and queues the mail `compose` makes of it, in the
 * caller's transaction; the account's older open links stop working. Silently none when the account was sent CONFIRMATION_MAILS_PER_HOUR links
 * in the last hour: nobody can use the register to flood a mailbox. Answers whether it sent one.
 */
export async function sendConfirmationLink(
  manager: EntityManager,
  user: Pick<User, 'id' | 'email' | 'role'>,
  compose: (to: string, link: string) => Mail,
  baseUrl: string,
  now: Date,
): Promise<boolean> {
  if ((await linksSentInLastHour(manager, user.id, 'email_confirmation', now)) >= CONFIRMATION_MAILS_PER_HOUR)
    return false;
  await useUpLinks(manager, user.id, 'email_confirmation', now);
  const token = await issueToken(
    manager,
    {
      purpose: 'email_confirmation',
      email: user.email,
      userId: user.id,
      providerId: null,
      role: null,
      createdBy: null,
    },
    EMAIL_CONFIRMATION_HOURS * 3600 * 1000,
    now,
  );
  await queueMail(manager, compose(user.email, `${baseUrl}${paths.confirmEmail(token)}`));
  await appendAuditEvent(manager, now, {
    actor: actorOf(user),
    action: 'user.email_confirmation_sent',
    subjectType: 'user',
    subjectId: user.id,
  });
  return true;
}

/**
 * A new link for an account that has not confirmed its address (asked for by logging in with the
 * right password); nothing for one that has. Limited as sendConfirmationLink says.
 */
export async function resendConfirmationLink(
  dataSource: DataSource,
  user: User,
  baseUrl: string,
  now: Date,
): Promise<void> {
  if (!needsEmailConfirmation(user)) return;
  await dataSource.transaction((manager) =>
    sendConfirmationLink(manager, user, mailTexts.emailConfirmation, baseUrl, now),
  );
}

/**
 * What a confirmation link is now (see tokenState), so that its page can answer 404 or 410: the
 * link of an account's address, or of a pending registration (the same page confirms both).
 */
export async function confirmationLinkState(
  dataSource: DataSource,
  token: string,
  now: Date,
): Promise<{ state: 'usable'; row: AccountToken } | { state: 'unknown' | 'spent' }> {
  const link = await tokenState(dataSource, token, 'email_confirmation', now);
  return link.state === 'unknown' ? tokenState(dataSource, token, 'registration', now) : link;
}

/**
 * Records that the account's address is confirmed, in the caller's transaction, with its audit
 * event; every other confirmation link of the account stops working. Nothing when it was already.
 */
export async function markEmailConfirmed(
  manager: EntityManager,
  user: User,
  way: ConfirmationWay,
  now: Date,
): Promise<void> {
  await useUpLinks(manager, user.id, 'email_confirmation', now);
  if (!needsEmailConfirmation(user)) return;
  await manager.update(User, user.id, { emailVerifiedAt: now });
  user.emailVerifiedAt = now;
  await appendAuditEvent(manager, now, {
    actor: actorOf(user),
    action: 'user.email_confirmed',
    subjectType: 'user',
    subjectId: user.id,
    data: { way },
  });
}

/**
 * Uses a confirmation link: the account's address is confirmed. Answers the account, or undefined
 * when the link is unknown, used or expired (or its account's address is no longer the one it was
 * sent to).
 */
export async function confirmEmail(
  dataSource: DataSource,
  token: string,
  now: Date,
): Promise<User | undefined> {
  return dataSource.transaction(async (manager) => {
    const link = await claimToken(manager, token, 'email_confirmation', now);
    if (!link?.userId) return undefined;
    const user = await manager.findOneBy(User, { id: link.userId });
    if (!user || user.email !== link.email || user.disabledAt) return undefined;
    await markEmailConfirmed(manager, user, 'link', now);
    return user;
  });
}

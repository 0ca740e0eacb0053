import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { ValidationError } from '../shared/errors';
import { claimToken, issueToken, tokenUsable } from './account-token.service';
import { markEmailConfirmed } from './email-confirmation.service';
import { dummyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './password';
import { type Role, User } from './user.entity';
import { deleteSessionsOf, linksSentInLastHour, useUpLinks } from './account.queries';

export const PASSWORD_RESET_HOURS = 1;
/** Reset mails one account gets per hour at most, whoever asks for them. */
export const RESET_MAILS_PER_HOUR = 3;

/** Rejects a new password that breaks the policy or does not match its confirmation. */
export function checkNewPassword(password: string, confirmation: string): void {
  const problems = passwordProblems(password);
  if (problems.length > 0) throw new ValidationError({ password: problems });
  if (password !== confirmation)
    throw new ValidationError({ passwordConfirmation: ['validation.passwordMismatch'] });
}

export async function assertEmailFree(manager: EntityManager, email: string): Promise<void> {
  if (await manager.existsBy(User, { email }))
    throw new ValidationError({ email: ['validation.emailTaken'] });
}

/** A new user; pass `passwordHash` when it was computed before the transaction (hashing last, outside it). */
export async function addUser(
  manager: EntityManager,
  input: {
    /** Given when the actor of an earlier step of the same change must name the new user already. */
    id?: string;
    email: string;
    name: string;
    role: Role;
    providerId: string | null;
    /** Buyers only: the organisation of their address's domain (found or made by src/buyer). */
    buyerOrganisationId?: string | null;
    /** Signal suppliers only (issue 19): the organisation they send signals for. */
    signalSupplierId?: string | null;
    password?: string;
    passwordHash?: string;
    /**
     * When the address was shown to be the person's: `now` for an invitation that reached it or an
     * account an administrator made; null for a registration, until its confirmation link is used.
     */
    emailVerifiedAt: Date | null;
    /** An eHerkenning person (issuer and `sub`): no password. */
    oidc?: { issuer: string; subject: string };
  },
  /** Who adds the account; undefined: the new user themself (registration, an accepted invitation). */
  actor: string | undefined,
  now: Date,
): Promise<User> {
  const email = input.email.toLowerCase();
  await assertEmailFree(manager, email);
  const user = manager.create(User, {
    ...(input.id ? { id: input.id } : {}),
    email,
    name: input.name,
    role: input.role,
    providerId: input.providerId,
    buyerOrganisationId: input.buyerOrganisationId ?? null,
    signalSupplierId: input.signalSupplierId ?? null,
    passwordHash: input.oidc ? null : (input.passwordHash ?? (await hashPassword(input.password!))),
    oidcIssuer: input.oidc?.issuer ?? null,
    oidcSubject: input.oidc?.subject ?? null,
    emailVerifiedAt: input.emailVerifiedAt,
    createdAt: now,
  });
  await manager.insert(User, user);
  await appendAuditEvent(manager, now, {
    actor: actor ?? actorOf(user),
    action: 'user.created',
    subjectType: 'user',
    subjectId: user.id,
    data: {
      role: input.role,
      providerId: input.providerId,
      ...(input.buyerOrganisationId ? { buyerOrganisationId: input.buyerOrganisationId } : {}),
      emailConfirmed: input.emailVerifiedAt !== null,
      ...(input.oidc ? { way: 'eherkenning' } : {}),
    },
    personal: { email },
  });
  return user;
}

/**
 * Staff accounts (and, for tests and demos, provider users) from the command line: an
 * administrator's act, so the address counts as confirmed.
 */
export async function createUser(
  dataSource: DataSource,
  input: {
    email: string;
    name: string;
    role: Role;
    providerId?: string | null;
    signalSupplierId?: string | null;
    password: string;
  },
  actor: string,
  now: Date,
): Promise<User> {
  checkNewPassword(input.password, input.password);
  const passwordHash = await hashPassword(input.password);
  return dataSource.transaction((manager) =>
    addUser(
      manager,
      { ...input, providerId: input.providerId ?? null, passwordHash, emailVerifiedAt: now },
      actor,
      now,
    ),
  );
}

/**
 * The user for these credentials, or (on failure) the id of the account the address belongs to, if
 * any; takes as long for an unknown address as for a wrong password.
 */
export async function authenticate(
  dataSource: DataSource,
  email: string,
  password: string,
): Promise<{ user?: User; accountId?: string }> {
  const user = await dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .addSelect('u.passwordHash')
    .where('u.email = :email', { email: email.trim().toLowerCase() })
    .getOne();
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  // An eHerkenning account has no password: the placeholder's hash must not open it.
  if (!user || !user.passwordHash || !ok || user.disabledAt) return { accountId: user?.id };
  return { user };
}

/**
 * How a session came to hold its user: each is a sign-in, with its last login and audit event.
 * (Before issue 17 a registration signed its user in too: older events say `registration`.)
 */
export type SignInWay = 'password' | 'second_factor' | 'invitation' | 'eherkenning';

/**
 * Sets the user's last login and writes `user.logged_in` (with the way in, and for eHerkenning the
 * assurance level), in one transaction.
 */
export async function recordLogin(
  dataSource: DataSource,
  user: User,
  way: SignInWay,
  now: Date,
  detail: { assuranceLevel?: string } = {},
): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.update(User, user.id, { lastLoginAt: now });
    await appendAuditEvent(m, now, {
      actor: actorOf(user),
      action: 'user.logged_in',
      subjectType: 'user',
      subjectId: user.id,
      data: { way, ...detail },
    });
  });
}

/**
 * After a new password: every reset link of the account still outstanding stops working, and every
 * session of it ends (a login waiting for its second factor too), except `keepSessionId`.
 */
async function endOtherWaysIn(
  manager: EntityManager,
  userId: string,
  now: Date,
  keepSessionId?: string,
): Promise<void> {
  await useUpLinks(manager, userId, 'password_reset', now);
  await deleteSessionsOf(manager, userId, keepSessionId ?? null);
}

/** Sends a reset link (valid 1 hour) when the address belongs to an active account; says nothing either way. */
export async function requestPasswordReset(
  dataSource: DataSource,
  email: string,
  baseUrl: string,
  now: Date,
): Promise<void> {
  const user = await dataSource.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
  if (!user || user.disabledAt) return;
  await dataSource.transaction(async (manager) => {
    // Nobody can use the register to flood one mailbox: a few links an hour per account, silently.
    if ((await linksSentInLastHour(manager, user.id, 'password_reset', now)) >= RESET_MAILS_PER_HOUR) return;
    const token = await issueToken(
      manager,
      {
        purpose: 'password_reset',
        email: user.email,
        userId: user.id,
        providerId: null,
        role: null,
        createdBy: null,
      },
      PASSWORD_RESET_HOURS * 3600 * 1000,
      now,
    );
    await queueMail(
      manager,
      mailTexts.passwordReset(user.email, `${baseUrl}/wachtwoord-herstellen/${token}`),
    );
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'user.password_reset_requested',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
}

/**
 * Sets a new password through a reset link (checked before hashing), and ends everything the old
 * password opened: every session of that account, signed in or waiting for the second factor, and
 * every other reset link still out.
 */
export async function resetPassword(
  dataSource: DataSource,
  token: string,
  input: { password: string; passwordConfirmation: string },
  now: Date,
): Promise<void> {
  if (!(await tokenUsable(dataSource, token, 'password_reset', now)))
    throw new ValidationError({ token: ['validation.linkInvalid'] });
  checkNewPassword(input.password, input.passwordConfirmation);
  const hash = await hashPassword(input.password);
  await dataSource.transaction(async (manager) => {
    const reset = await claimToken(manager, token, 'password_reset', now);
    if (!reset) throw new ValidationError({ token: ['validation.linkInvalid'] });
    await manager.update(User, reset.userId!, { passwordHash: hash });
    await endOtherWaysIn(manager, reset.userId!, now);
    const user = await manager.findOneByOrFail(User, { id: reset.userId! });
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'user.password_reset',
      subjectType: 'user',
      subjectId: reset.userId!,
    });
    // The reset link reached the address it was sent to: that confirms it, as its own link would.
    if (user.email === reset.email) await markEmailConfirmed(manager, user, 'password_reset', now);
  });
}

/**
 * A signed-in user changes their password: the current one is required, the new one follows the
 * policy, and every other session of the account ends (this one stays).
 */
export async function changePassword(
  dataSource: DataSource,
  user: User,
  keepSessionId: string,
  input: { currentPassword: string; password: string; passwordConfirmation: string },
  now: Date,
): Promise<void> {
  if (!input.currentPassword) throw new ValidationError({ currentPassword: ['validation.required'] });
  checkNewPassword(input.password, input.passwordConfirmation);
  const { user: checked } = await authenticate(dataSource, user.email, input.currentPassword);
  if (!checked) throw new ValidationError({ currentPassword: ['validation.currentPasswordWrong'] });
  const hash = await hashPassword(input.password);
  await dataSource.transaction(async (manager) => {
    await manager.update(User, user.id, { passwordHash: hash });
    await endOtherWaysIn(manager, user.id, now, keepSessionId);
    await appendAuditEvent(manager, now, {
      actor: actorOf(user),
      action: 'user.password_changed',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
}

import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { randomToken, sha256Hex } from '../shared/tokens';
import { AccountToken, type TokenPurpose } from './account-token.entity';
import { dummyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './password';
import { type Role, STAFF_ROLES, User } from './user.entity';
import {
  deleteSessionsOf,
  invitationsSentSince,
  resetLinksInLastHour,
  useUpResetLinks,
} from './account.queries';

export const INVITATION_DAYS = 7;
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
    email: string;
    name: string;
    role: Role;
    providerId: string | null;
    password?: string;
    passwordHash?: string;
  },
  actor: string,
  now: Date,
): Promise<User> {
  const email = input.email.toLowerCase();
  await assertEmailFree(manager, email);
  const user = manager.create(User, {
    email,
    name: input.name,
    role: input.role,
    providerId: input.providerId,
    passwordHash: input.passwordHash ?? (await hashPassword(input.password!)),
  });
  await manager.insert(User, user);
  await appendAuditEvent(manager, now, {
    actor,
    action: 'user.created',
    subjectType: 'user',
    subjectId: user.id,
    data: { email, role: input.role, providerId: input.providerId },
  });
  return user;
}

/** Staff accounts (and, for tests and demos, provider users) from the command line. */
export async function createUser(
  dataSource: DataSource,
  input: { email: string; name: string; role: Role; providerId?: string | null; password: string },
  actor: string,
  now: Date,
): Promise<User> {
  checkNewPassword(input.password, input.password);
  const passwordHash = await hashPassword(input.password);
  return dataSource.transaction((manager) =>
    addUser(manager, { ...input, providerId: input.providerId ?? null, passwordHash }, actor, now),
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
  if (!user || !ok || user.disabledAt) return { accountId: user?.id };
  return { user };
}

export async function recordLogin(dataSource: DataSource, user: User, now: Date): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.update(User, user.id, { lastLoginAt: now });
    await appendAuditEvent(m, now, {
      actor: user.email,
      action: 'user.logged_in',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
}

async function issueToken(
  manager: EntityManager,
  input: Omit<AccountToken, 'id' | 'tokenHash' | 'createdAt' | 'usedAt' | 'expiresAt' | 'revokedAt'>,
  validForMs: number,
  now: Date,
): Promise<string> {
  const token = randomToken();
  await manager.insert(AccountToken, {
    ...input,
    tokenHash: sha256Hex(token),
    expiresAt: new Date(now.getTime() + validForMs),
  });
  return token;
}

/** Claims a single-use token inside the caller's transaction; undefined when unknown, used or expired. */
async function claimToken(
  manager: EntityManager,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<AccountToken | undefined> {
  const row = await manager
    .getRepository(AccountToken)
    .createQueryBuilder('t')
    .where('t.token_hash = :hash AND t.purpose = :purpose', { hash: sha256Hex(token), purpose })
    .setLock('pessimistic_write')
    .getOne();
  if (!row || row.usedAt || row.expiresAt.getTime() <= now.getTime()) return undefined;
  await manager.update(AccountToken, row.tokenHash, { usedAt: now });
  return row;
}

/** Whether a token could still be used (for showing the form behind a link). */
export async function tokenUsable(
  dataSource: DataSource,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<AccountToken | undefined> {
  const row = await dataSource
    .getRepository(AccountToken)
    .findOneBy({ tokenHash: sha256Hex(token), purpose, usedAt: IsNull() });
  return row && row.expiresAt.getTime() > now.getTime() ? row : undefined;
}

export interface InvitationLimits {
  perUserPerHour: number;
  pendingPerProvider: number;
}

/** An invitation of the organisation that can still be used. */
export interface PendingInvitation {
  id: string;
  email: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * A user of an organisation invites a colleague: a single-use link, valid for 7 days, sent by mail.
 * Each invitation is a mail to an address of the inviter's choosing, so they are limited per
 * inviter per hour and per organisation while open, and one address has one open invitation.
 */
export async function inviteColleague(
  dataSource: DataSource,
  inviter: User,
  email: string,
  baseUrl: string,
  limits: InvitationLimits,
  now: Date,
): Promise<void> {
  const address = email.toLowerCase();
  await dataSource.transaction(async (manager) => {
    await assertEmailFree(manager, address);
    // Locks the organisation: concurrent invitations are counted one after the other.
    const provider = await manager.findOneOrFail(Provider, {
      where: { id: inviter.providerId! },
      lock: { mode: 'pessimistic_write' },
    });
    // An invitation mails the organisation's name, chosen by whoever registered it, to any address:
    // only once a reviewer has confirmed who the organisation is.
    if (!provider.identityConfirmedAt) throw new ValidationError({ email: ['colleagues.notConfirmed'] });
    const pending = await pendingInvitations(manager, provider.id, now);
    if (pending.some((p) => p.email === address))
      throw new ValidationError({ email: ['colleagues.alreadyInvited'] });
    if (pending.length >= limits.pendingPerProvider)
      throw new ValidationError({ email: ['colleagues.tooManyPending'] });
    const sent = await invitationsSentSince(manager, inviter.id, new Date(now.getTime() - 3600 * 1000));
    if (sent >= limits.perUserPerHour) throw new ValidationError({ email: ['colleagues.tooManyPerHour'] });
    const token = await issueToken(
      manager,
      {
        purpose: 'invitation',
        email: address,
        userId: null,
        providerId: provider.id,
        role: 'provider',
        createdBy: inviter.id,
      },
      INVITATION_DAYS * 24 * 3600 * 1000,
      now,
    );
    await queueMail(
      manager,
      mailTexts.invitation(address, provider.legalName, inviter.name, `${baseUrl}/uitnodiging/${token}`),
    );
    await appendAuditEvent(manager, now, {
      actor: inviter.email,
      action: 'invitation.created',
      subjectType: 'provider',
      subjectId: provider.id,
      data: { email: address, role: 'provider' },
    });
  });
}

/** The organisation's invitations that are neither used, revoked nor expired, oldest first. */
export async function pendingInvitations(
  manager: EntityManager,
  providerId: string,
  now: Date,
): Promise<PendingInvitation[]> {
  return manager
    .getRepository(AccountToken)
    .createQueryBuilder('t')
    .select(['t.id', 't.email', 't.createdAt', 't.expiresAt'])
    .where("t.purpose = 'invitation' AND t.provider_id = :providerId", { providerId })
    .andWhere('t.used_at IS NULL AND t.expires_at > :now', { now })
    .orderBy('t.created_at', 'ASC')
    .getMany();
}

/**
 * A user of the organisation revokes one of its open invitations: the link stops working at once
 * (it counts as used). Another organisation's invitation, or one no longer open, is not found.
 */
export async function revokeInvitation(
  dataSource: DataSource,
  user: User,
  id: string,
  now: Date,
): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id) || !user.providerId) throw new NotFoundError(`invitation ${id}`);
  await dataSource.transaction(async (manager) => {
    const invitation = await manager
      .getRepository(AccountToken)
      .createQueryBuilder('t')
      .where("t.id = :id AND t.purpose = 'invitation' AND t.provider_id = :providerId", {
        id,
        providerId: user.providerId,
      })
      .setLock('pessimistic_write')
      .getOne();
    if (!invitation || invitation.usedAt || invitation.expiresAt.getTime() <= now.getTime())
      throw new NotFoundError(`invitation ${id}`);
    await manager.update(AccountToken, invitation.tokenHash, { usedAt: now, revokedAt: now });
    await appendAuditEvent(manager, now, {
      actor: user.email,
      action: 'invitation.revoked',
      subjectType: 'provider',
      subjectId: user.providerId!,
      data: { email: invitation.email, invitationId: invitation.id },
    });
  });
}

/** An administrator invites a member of staff: a single-use link, valid for 7 days, sent by mail. */
export async function inviteStaff(
  dataSource: DataSource,
  admin: User,
  email: string,
  role: Role,
  baseUrl: string,
  now: Date,
): Promise<void> {
  if (!STAFF_ROLES.includes(role)) throw new ValidationError({ role: ['validation.invalid'] });
  const address = email.toLowerCase();
  await dataSource.transaction(async (manager) => {
    await assertEmailFree(manager, address);
    const token = await issueToken(
      manager,
      { purpose: 'invitation', email: address, userId: null, providerId: null, role, createdBy: admin.id },
      INVITATION_DAYS * 24 * 3600 * 1000,
      now,
    );
    await queueMail(manager, mailTexts.staffInvitation(address, role, `${baseUrl}/uitnodiging/${token}`));
    await appendAuditEvent(manager, now, {
      actor: admin.email,
      action: 'invitation.created',
      subjectType: 'user',
      subjectId: address,
      data: { email: address, role },
    });
  });
}

/** The invited person sets name and password; the link is used up. */
export async function acceptInvitation(
  dataSource: DataSource,
  token: string,
  input: { name: string; password: string; passwordConfirmation: string },
  now: Date,
): Promise<User> {
  checkNewPassword(input.password, input.passwordConfirmation);
  const usable = await tokenUsable(dataSource, token, 'invitation', now);
  if (!usable) throw new ValidationError({ token: ['validation.linkInvalid'] });
  await assertEmailFree(dataSource.manager, usable.email);
  const passwordHash = await hashPassword(input.password);
  return dataSource.transaction(async (manager) => {
    const invitation = await claimToken(manager, token, 'invitation', now);
    if (!invitation) throw new ValidationError({ token: ['validation.linkInvalid'] });
    return addUser(
      manager,
      {
        email: invitation.email,
        name: input.name,
        role: invitation.role!,
        providerId: invitation.providerId,
        passwordHash,
      },
      invitation.email,
      now,
    );
  });
}

/**
 * After a new password: every reset link of the account still outstanding stops working, and every
 * session of it ends (a login waiting for its second factor too), except `keepSessionId`.
 */
async function endOtherWaysIn(manager: EntityManager, userId: string, keepSessionId?: string): Promise<void> {
  await useUpResetLinks(manager, userId);
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
    if ((await resetLinksInLastHour(manager, user.id)) >= RESET_MAILS_PER_HOUR) return;
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
      actor: user.email,
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
    await endOtherWaysIn(manager, reset.userId!);
    await appendAuditEvent(manager, now, {
      actor: reset.email,
      action: 'user.password_reset',
      subjectType: 'user',
      subjectId: reset.userId!,
    });
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
    await endOtherWaysIn(manager, user.id, keepSessionId);
    await appendAuditEvent(manager, now, {
      actor: user.email,
      action: 'user.password_changed',
      subjectType: 'user',
      subjectId: user.id,
    });
  });
}

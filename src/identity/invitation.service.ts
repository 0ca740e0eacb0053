import { actorOf } from '../audit/actor';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { isUniqueViolation } from '../database/availability';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { AccountToken } from './account-token.entity';
import { claimToken, issueToken, tokenState, tokenUsable } from './account-token.service';
import { addUser, assertEmailFree, checkNewPassword } from './account.service';
import { hashPassword } from './password';
import { type Role, STAFF_ROLES, User } from './user.entity';
import { hasOpenInvitation, invitationsSentSince, revokeExpiredInvitations } from './account.queries';
import { sha256Hex } from '../shared/tokens';

/** Invitations: a provider user invites colleagues, an administrator invites staff; the invited set their password. */

export const INVITATION_DAYS = 7;
const INVITATION_MS = INVITATION_DAYS * 24 * 3600 * 1000;

/** The unique index that keeps one open invitation per address (migration StaffInvitationsAndLastLogin). */
const ONE_OPEN_INVITATION = 'account_tokens_one_open_invitation';

/**
 * Clears the way for a new staff invitation to `address`: a staff invitation that expired unused is
 * revoked; one still open refuses the new one with `message` (the database refuses it too, should
 * two arrive at once). An organisation's invitation of the address does not stand in the way.
 */
async function assertNoOpenStaffInvitation(
  manager: EntityManager,
  address: string,
  message: string,
  now: Date,
): Promise<number> {
  const expiredRevoked = await revokeExpiredInvitations(manager, address, null, now);
  if (await hasOpenInvitation(manager, address, null)) throw new ValidationError({ email: [message] });
  return expiredRevoked;
}

/** Runs an invitation's transaction; losing the race to another invitation of the address reads as `message`. */
async function oneOpenInvitation<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, ONE_OPEN_INVITATION)) throw new ValidationError({ email: [message] });
    throw error;
  }
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
 *
 * The answer never tells whether an address belongs to someone outside the organisation (another
 * organisation's user, staff) or is invited by someone else, and what it says is true: every
 * invitation is stored, listed, expires and can be revoked alike, and a mail goes to the address.
 * An address invited elsewhere too gets a joining link like any other (whoever is accepted first
 * wins; the other links then stop working). An address that has an account gets no link, as an
 * account cannot join another organisation: it gets a notice that someone at the organisation
 * tried to invite it. Only what the organisation knows already (its own users and its own open
 * invitations) gets a precise message. The audit event is `invitation.created` either way; its
 * `mail` says which mail went out (`link` or `notice`), for staff only.
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
  await oneOpenInvitation('colleagues.alreadyInvited', () =>
    dataSource.transaction(async (manager) => {
      // Locks the organisation: concurrent invitations are counted one after the other.
      const provider = await manager.findOneOrFail(Provider, {
        where: { id: inviter.providerId! },
        lock: { mode: 'pessimistic_write' },
      });
      // An invitation mails the organisation's name, chosen by whoever registered it, to any address:
      // only once a reviewer has confirmed who the organisation is.
      if (!provider.identityConfirmedAt) throw new ValidationError({ email: ['colleagues.notConfirmed'] });
      const account = await manager.findOneBy(User, { email: address });
      if (account?.providerId === provider.id)
        throw new ValidationError({ email: ['colleagues.alreadyColleague'] });
      const pending = await pendingInvitations(manager, provider.id, now);
      if (pending.some((p) => p.email === address))
        throw new ValidationError({ email: ['colleagues.alreadyInvited'] });
      if (pending.length >= limits.pendingPerProvider)
        throw new ValidationError({ email: ['colleagues.tooManyPending'] });
      const sent = await invitationsSentSince(manager, inviter.id, new Date(now.getTime() - 3600 * 1000));
      if (sent >= limits.perUserPerHour) throw new ValidationError({ email: ['colleagues.tooManyPerHour'] });
      const expiredRevoked = await revokeExpiredInvitations(manager, address, provider.id, now);
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
        INVITATION_MS,
        now,
      );
      // An address with an account is never mailed the link (nobody ever sees this token), and a
      // link is refused anyway once its address has an account.
      const mail = account ? 'notice' : 'link';
      await queueMail(
        manager,
        account
          ? mailTexts.invitationNotice(address, provider.legalName, inviter.name, baseUrl)
          : mailTexts.invitation(
              address,
              provider.legalName,
              inviter.name,
              `${baseUrl}/uitnodiging/${token}`,
            ),
      );
      const { id: invitationId } = await manager.findOneByOrFail(AccountToken, {
        tokenHash: sha256Hex(token),
      });
      await appendAuditEvent(manager, now, {
        actor: actorOf(inviter),
        action: 'invitation.created',
        subjectType: 'provider',
        subjectId: provider.id,
        data: { role: 'provider', invitationId, mail, expiredRevoked },
        personal: { email: address },
      });
    }),
  );
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
      actor: actorOf(user),
      action: 'invitation.revoked',
      subjectType: 'provider',
      subjectId: user.providerId!,
      data: { invitationId: invitation.id },
      personal: { email: invitation.email },
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
  await oneOpenInvitation('staff.alreadyInvited', () =>
    dataSource.transaction(async (manager) => {
      await assertEmailFree(manager, address);
      const expiredRevoked = await assertNoOpenStaffInvitation(manager, address, 'staff.alreadyInvited', now);
      const invitationId = await sendStaffInvitation(manager, admin, address, role, baseUrl, now);
      await appendAuditEvent(manager, now, {
        actor: actorOf(admin),
        action: 'invitation.created',
        subjectType: 'invitation',
        subjectId: invitationId,
        data: { role, invitationId, expiredRevoked },
        personal: { email: address },
      });
    }),
  );
}

/**
 * An administrator invites a person of a signal supplier organisation (issue 19): the staff
 * invitation (one open per address, 7 days, the same mail naming the role), tied to the
 * organisation. Accepting makes a `signal_supplier` user, who must then set up the second factor.
 */
export async function inviteSignalSupplierPerson(
  manager: EntityManager,
  admin: User,
  signalSupplierId: string,
  email: string,
  baseUrl: string,
  now: Date,
): Promise<string> {
  const address = email.toLowerCase();
  return oneOpenInvitation('staff.alreadyInvited', async () => {
    await assertEmailFree(manager, address);
    const expiredRevoked = await assertNoOpenStaffInvitation(manager, address, 'staff.alreadyInvited', now);
    const invitationId = await sendStaffInvitation(
      manager,
      admin,
      address,
      'signal_supplier',
      baseUrl,
      now,
      signalSupplierId,
    );
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: 'signal_supplier.person_invited',
      subjectType: 'signal_supplier',
      subjectId: signalSupplierId,
      data: { invitationId, expiredRevoked },
      personal: { email: address },
    });
    return invitationId;
  });
}

/** A signal supplier organisation's name, for its people's invitations (signals/ sits above identity/). */
async function signalSupplierName(manager: EntityManager, id: string): Promise<string> {
  const [row] = await manager.query<{ name: string }[]>(`SELECT name FROM signal_suppliers WHERE id = $1`, [
    id,
  ]);
  if (!row) throw new NotFoundError(`no signal supplier ${id}`);
  return row.name;
}

/**
 * Stores a staff invitation and queues its mail (a signal supplier person's names the organisation);
 * answers the invitation's id.
 */
async function sendStaffInvitation(
  manager: EntityManager,
  admin: User,
  address: string,
  role: Role,
  baseUrl: string,
  now: Date,
  /** A signal supplier's person (issue 19): their organisation. */
  signalSupplierId: string | null = null,
): Promise<string> {
  const token = await issueToken(
    manager,
    {
      purpose: 'invitation',
      email: address,
      userId: null,
      providerId: null,
      role,
      createdBy: admin.id,
      signalSupplierId,
    },
    INVITATION_MS,
    now,
  );
  const link = `${baseUrl}/uitnodiging/${token}`;
  await queueMail(
    manager,
    signalSupplierId === null
      ? mailTexts.staffInvitation(address, role, link)
      : mailTexts.signalSupplierInvitation(
          address,
          await signalSupplierName(manager, signalSupplierId),
          link,
        ),
  );
  const { id } = await manager.findOneByOrFail(AccountToken, { tokenHash: sha256Hex(token) });
  return id;
}

/** A staff invitation nobody has used or revoked yet (possibly expired), for the staff page. */
export interface OpenStaffInvitation {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
}

/** The staff invitations not used and not revoked, expired ones too (they can be sent again), oldest first. */
export async function openStaffInvitations(dataSource: DataSource): Promise<OpenStaffInvitation[]> {
  const rows = await dataSource
    .getRepository(AccountToken)
    .createQueryBuilder('t')
    .select(['t.id', 't.email', 't.role', 't.createdAt', 't.expiresAt'])
    .where(
      "t.purpose = 'invitation' AND t.provider_id IS NULL AND t.signal_supplier_id IS NULL AND t.used_at IS NULL",
    )
    .orderBy('t.created_at', 'ASC')
    .getMany();
  return rows.map((r) => ({ ...r, role: r.role! }));
}

/**
 * Locks an open staff invitation. Not found when unknown or a provider's; one used, revoked or
 * replaced meanwhile (a page loaded before another administrator acted) is a refusal with a message.
 */
async function lockOpenStaffInvitation(manager: EntityManager, id: string): Promise<AccountToken> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError(`invitation ${id}`);
  const invitation = await manager
    .getRepository(AccountToken)
    .createQueryBuilder('t')
    .where("t.id = :id AND t.purpose = 'invitation' AND t.provider_id IS NULL", { id })
    .setLock('pessimistic_write')
    .getOne();
  if (!invitation || !invitation.role) throw new NotFoundError(`invitation ${id}`);
  if (invitation.usedAt) throw new ValidationError({ invitation: ['staff.invitationGone'] });
  return invitation;
}

/** An administrator revokes an open staff invitation: its link stops working at once. */
export async function revokeStaffInvitation(dataSource: DataSource, admin: User, id: string, now: Date) {
  await dataSource.transaction(async (manager) => {
    const invitation = await lockOpenStaffInvitation(manager, id);
    await manager.update(AccountToken, invitation.tokenHash, { usedAt: now, revokedAt: now });
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: 'invitation.revoked',
      subjectType: 'invitation',
      subjectId: invitation.id,
      data: { role: invitation.role, invitationId: invitation.id },
      personal: { email: invitation.email },
    });
  });
}

/**
 * An administrator sends a staff invitation again: a new link, valid for 7 days from now; the old
 * link stops working in the same change (expired or not).
 */
export async function resendStaffInvitation(
  dataSource: DataSource,
  admin: User,
  id: string,
  baseUrl: string,
  now: Date,
) {
  await dataSource.transaction(async (manager) => {
    const old = await lockOpenStaffInvitation(manager, id);
    await manager.update(AccountToken, old.tokenHash, { usedAt: now, revokedAt: now });
    const invitationId = await sendStaffInvitation(
      manager,
      admin,
      old.email,
      old.role!,
      baseUrl,
      now,
      old.signalSupplierId ?? null,
    );
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: 'invitation.resent',
      subjectType: 'invitation',
      subjectId: invitationId,
      data: { role: old.role, invitationId, replaces: old.id },
      personal: { email: old.email },
    });
  });
}

/**
 * What an invitation link is now (see `tokenState`); `taken` when its address has an account
 * meanwhile (it accepted another invitation): such a link can never be used.
 */
export async function invitationLinkState(
  dataSource: DataSource,
  token: string,
  now: Date,
): Promise<{ state: 'usable'; row: AccountToken } | { state: 'unknown' | 'spent' | 'taken' }> {
  const link = await tokenState(dataSource, token, 'invitation', now);
  if (link.state === 'usable' && (await dataSource.manager.existsBy(User, { email: link.row.email })))
    return { state: 'taken' };
  return link;
}

/** The refusal of a link whose address has an account already. */
const accountExists = () => new ValidationError({ token: ['invitation.accountExists'] });

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
  if (await dataSource.manager.existsBy(User, { email: usable.email })) throw accountExists();
  const passwordHash = await hashPassword(input.password);
  try {
    return await dataSource.transaction(async (manager) => {
      const invitation = await claimToken(manager, token, 'invitation', now);
      if (!invitation) throw new ValidationError({ token: ['validation.linkInvalid'] });
      if (await manager.existsBy(User, { email: invitation.email })) throw accountExists();
      return addUser(
        manager,
        {
          email: invitation.email,
          name: input.name,
          role: invitation.role!,
          providerId: invitation.providerId,
          signalSupplierId: invitation.signalSupplierId ?? null,
          passwordHash,
          // The invitation's link reached the address: that is its confirmation.
          emailVerifiedAt: now,
        },
        undefined,
        now,
      );
    });
  } catch (error) {
    // Two invitations of one address (from different parties) accepted at the same moment: one wins.
    if (isUniqueViolation(error, 'users_email_key')) throw accountExists();
    throw error;
  }
}

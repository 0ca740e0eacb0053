import { flagResemblingName } from './name-resemblance.service';
import { sendConfirmationLink } from '../identity/email-confirmation.service';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { insertReviewTask } from '../provider/review-tasks';
import { deleteSessionsOf } from '../identity/account.queries';
import type { Config } from '../config';
import { isUniqueViolation } from '../database/availability';
import { addUser } from '../identity/account.service';
import type { EherkenningIdentity } from '../identity/eherkenning-client';
import type { RefusalReason } from '../identity/eherkenning-rules';
import { handOverOrganisation } from '../identity/organisation-transfer';
import { User } from '../identity/user.entity';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { ConflictError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { readSettings } from '../settings/settings.service';
import type { OrganisationDto, PersonDto } from '../identity/account.dto';
import { confirmIdentity, createProvider, organisationInput } from './provider.service';

/**
 * What an eHerkenning login leads to. The KvK number is the login's; the organisation of that
 * number decides the next step: none yet → the person fills in the organisation (`create`); one
 * whose identity is confirmed → the person joins it (`join`); one registered only with passwords and
 * never confirmed → the person takes it over (`takeover`), the other accounts lose access.
 */
export type EherkenningStep =
  | { kind: 'signed_in'; user: User }
  | { kind: 'create'; kvkNumber: string }
  | { kind: 'join' | 'takeover'; kvkNumber: string; legalName: string }
  | { kind: 'refused'; reason: RefusalReason; userId?: string };

/** The organisation of a number and whether its identity is confirmed, or undefined. */
async function organisationOf(manager: EntityManager, kvkNumber: string) {
  return manager.findOne(Provider, {
    where: { kvkNumber },
    select: { id: true, kvkNumber: true, legalName: true, identityConfirmedAt: true },
  });
}

/** Whether a hand-over of the organisation disabled this account. */
async function disabledByHandOver(manager: EntityManager, userId: string, providerId: string) {
  return manager
    .query<{ id: string }[]>(
      `SELECT id FROM audit_events
        WHERE action = 'provider.handed_over' AND subject_id = $1 AND data->'formerUserIds' ? $2 LIMIT 1`,
      [providerId, userId],
    )
    .then((rows) => rows.length > 0);
}

/** The actor of the task an eHerkenning login of a handed-over account raises. */
export const HANDED_OVER_LOGIN_ACTOR = 'register:eherkenning';

/**
 * An eHerkenning login of an account that a hand-over disabled: eHerkenning vouches that this
 * person represents the organisation, against the claim a reviewer approved. The login stays
 * refused (a hand-over is not undone by a login), but a reviewer gets a task
 * `eherkenning_after_hand_over` (one open per organisation) with its audit event.
 */
export async function reportLoginAfterHandOver(
  dataSource: DataSource,
  userId: string,
  identity: EherkenningIdentity,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const user = await manager.findOneByOrFail(User, { id: userId });
    if (!user.providerId) return;
    await openAfterHandOverTask(manager, user.providerId, { userId, identity }, now);
  });
}

/**
 * The task `eherkenning_after_hand_over` (one open per organisation), with its audit event: an
 * eHerkenning login vouches for someone against a claim a reviewer approved, and a reviewer decides.
 */
async function openAfterHandOverTask(
  manager: EntityManager,
  providerId: string,
  { userId, identity, joined }: { userId: string; identity: EherkenningIdentity; joined?: boolean },
  now: Date,
): Promise<void> {
  const detail = {
    userId,
    assuranceLevel: identity.level,
    kvkNumber: identity.kvkNumber,
    ...(joined ? { joined } : {}),
  };
  const taskId = await insertReviewTask(
    manager,
    { providerId, kind: 'eherkenning_after_hand_over', detail },
    now,
  );
  if (taskId)
    await appendAuditEvent(manager, now, {
      actor: HANDED_OVER_LOGIN_ACTOR,
      action: 'review_task.opened',
      subjectType: 'provider',
      subjectId: providerId,
      data: { taskId, kind: 'eherkenning_after_hand_over', detail },
    });
}

/** The next step after a checked eHerkenning login (reads only; a returning person is signed in by the caller). */
export async function eherkenningStep(
  dataSource: DataSource,
  identity: EherkenningIdentity,
): Promise<EherkenningStep> {
  const manager = dataSource.manager;
  const user = await manager.findOneBy(User, { oidcIssuer: identity.issuer, oidcSubject: identity.subject });
  if (user) {
    if (user.disabledAt) {
      const handedOver = user.providerId && (await disabledByHandOver(manager, user.id, user.providerId));
      return { kind: 'refused', reason: handedOver ? 'handed_over' : 'account_disabled', userId: user.id };
    }
    const own = user.providerId ? await manager.findOneBy(Provider, { id: user.providerId }) : null;
    // The same person logging in for another company: that company is not theirs in the register.
    if (user.role !== 'provider' || own?.kvkNumber !== identity.kvkNumber)
      return { kind: 'refused', reason: 'other_organisation', userId: user.id };
    return { kind: 'signed_in', user };
  }
  const organisation = await organisationOf(manager, identity.kvkNumber);
  if (!organisation) return { kind: 'create', kvkNumber: identity.kvkNumber };
  return {
    kind: organisation.identityConfirmedAt ? 'join' : 'takeover',
    kvkNumber: organisation.kvkNumber,
    legalName: organisation.legalName,
  };
}

/** Races: the other side won (an organisation made meanwhile, the same login used twice). */
function meanwhile(): ConflictError {
  return new ConflictError('eherkenning.meanwhile', { backTo: paths.login });
}

/** Runs a change that adds an account, turning the database's unique refusals into their messages. */
async function addingAccount<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, 'users_email_key'))
      throw new ValidationError({ email: ['validation.emailTaken'] });
    if (
      isUniqueViolation(error, 'providers_kvk_number_key') ||
      isUniqueViolation(error, 'users_oidc_identity_key')
    )
      throw meanwhile();
    throw error;
  }
}

/**
 * The first eHerkenning login for a number without an organisation: the organisation (its KvK
 * number from the login), confirmed by that login, and the person's account, in one transaction.
 */
export function createOrganisationByEherkenning(
  dataSource: DataSource,
  identity: EherkenningIdentity,
  dto: OrganisationDto,
  config: Config,
  now: Date,
): Promise<User> {
  return addingAccount(() =>
    dataSource.transaction(async (manager) => {
      if (await organisationOf(manager, identity.kvkNumber)) throw meanwhile();
      const userId = randomUUID();
      const actor = actorOf({ id: userId, role: 'provider' });
      const provider = await createProvider(manager, organisationInput(identity.kvkNumber, dto), actor, now);
      const user = await addUser(
        manager,
        {
          id: userId,
          email: dto.email,
          name: dto.name,
          role: 'provider',
          providerId: provider.id,
          oidc: { issuer: identity.issuer, subject: identity.subject },
          // eHerkenning proved the person; the address they typed is confirmed by its own link.
          emailVerifiedAt: null,
        },
        actor,
        now,
      );
      await sendConfirmationLink(manager, user, mailTexts.emailConfirmation, config.publicBaseUrl, now);
      await confirmIdentity(
        manager,
        provider.id,
        actor,
        { assuranceLevel: identity.level },
        now,
        'eherkenning',
      );
      // eHerkenning proves the number, not the name typed: one like a verified provider's is flagged.
      await flagResemblingName(manager, provider, now);
      await queueMail(
        manager,
        mailTexts.eherkenningRegistration(
          user.email,
          provider.legalName,
          provider.kvkNumber,
          `${config.publicBaseUrl}${paths.account}`,
        ),
      );
      return user;
    }),
  );
}

/**
 * In a takeover, the password account of the address the eHerkenning person gave becomes theirs.
 * Whoever registered it may not be them (a squatter can register the owner's address and never
 * confirm it), so it keeps nothing anyone else may have set: its password, second factor and
 * recovery codes go, its sessions end and its open links stop working, and one audit event says
 * the account was adopted and its password removed. An address never confirmed gets its link.
 */
async function adoptAccount(
  manager: EntityManager,
  existing: User,
  identity: EherkenningIdentity,
  name: string,
  config: Config,
  now: Date,
): Promise<User> {
  const actor = actorOf({ id: existing.id, role: 'provider' });
  await manager.query(
    `UPDATE users SET oidc_issuer = $2, oidc_subject = $3, name = $4, password_hash = NULL,
            totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = $5
      WHERE id = $1`,
    [existing.id, identity.issuer, identity.subject, name, now],
  );
  const [, recoveryCodes] = await manager.query<[unknown, number]>(
    `DELETE FROM recovery_codes WHERE user_id = $1`,
    [existing.id],
  );
  await deleteSessionsOf(manager, existing.id, null);
  const [, links] = await manager.query<[unknown, number]>(
    `UPDATE account_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
    [existing.id, now],
  );
  await appendAuditEvent(manager, now, {
    actor,
    action: 'user.adopted_by_eherkenning',
    subjectType: 'user',
    subjectId: existing.id,
    data: {
      providerId: existing.providerId,
      assuranceLevel: identity.level,
      passwordRemoved: true,
      secondFactorRemoved: existing.totpEnabledAt !== null,
      recoveryCodesRemoved: recoveryCodes,
      linksEnded: links,
    },
  });
  const user = await manager.findOneByOrFail(User, { id: existing.id });
  if (!user.emailVerifiedAt)
    await sendConfirmationLink(manager, user, mailTexts.emailConfirmation, config.publicBaseUrl, now);
  return user;
}

/**
 * An eHerkenning login for a number that has an organisation: the person's account joins it. A
 * confirmed organisation gains a colleague (its users hear of it by mail); one registered only with
 * passwords is taken over (handOverOrganisation: the others lose access, everyone is mailed, a
 * reviewer gets a task). In a takeover, an address that is already an account of that organisation
 * (the owner registered with a password before) becomes this eHerkenning account and stays, without
 * the credentials someone else may have set (adoptAccount).
 */
export function joinOrganisationByEherkenning(
  dataSource: DataSource,
  identity: EherkenningIdentity,
  dto: PersonDto,
  config: Config,
  now: Date,
): Promise<User> {
  return addingAccount(() =>
    dataSource.transaction(async (manager) => {
      const organisation = await manager.findOne(Provider, {
        where: { kvkNumber: identity.kvkNumber },
        lock: { mode: 'pessimistic_write' },
      });
      if (!organisation) throw meanwhile();
      const email = dto.email.toLowerCase();
      const takeover = organisation.identityConfirmedAt === null;
      const existing = takeover ? await manager.findOneBy(User, { email }) : null;
      let user: User;
      const ownAccount =
        existing?.providerId === organisation.id &&
        existing.role === 'provider' &&
        !existing.oidcSubject &&
        !existing.disabledAt;
      if (existing && ownAccount) {
        user = await adoptAccount(manager, existing, identity, dto.name, config, now);
      } else {
        const userId = randomUUID();
        user = await addUser(
          manager,
          {
            id: userId,
            email,
            name: dto.name,
            role: 'provider',
            providerId: organisation.id,
            oidc: { issuer: identity.issuer, subject: identity.subject },
            emailVerifiedAt: null,
          },
          actorOf({ id: userId, role: 'provider' }),
          now,
        );
        await sendConfirmationLink(manager, user, mailTexts.emailConfirmation, config.publicBaseUrl, now);
      }
      const actor = actorOf(user);
      if (takeover) {
        const settings = await readSettings(manager, config);
        await handOverOrganisation(manager, {
          providerId: organisation.id,
          toUserId: user.id,
          how: 'eherkenning',
          actor,
          config: { publicBaseUrl: config.publicBaseUrl, contactEmail: settings.contactEmail },
          now,
          detail: { assuranceLevel: identity.level },
        });
        return user;
      }
      const colleagues = await manager.find(User, {
        where: { providerId: organisation.id, role: 'provider' },
        select: { id: true, email: true, disabledAt: true },
      });
      for (const colleague of colleagues.filter((c) => c.id !== user.id && !c.disabledAt))
        await queueMail(
          manager,
          mailTexts.eherkenningColleagueJoined(colleague.email, organisation.legalName, dto.name, email),
        );
      // Someone proven by eHerkenning joins an organisation a claim (a PDF a reviewer checked) handed
      // over: if the claimant was not who they said, this is the real owner. A reviewer looks.
      const [claimed] = await manager.query<unknown[]>(
        `SELECT 1 FROM organisation_claims WHERE provider_id = $1 AND decision = 'approved' LIMIT 1`,
        [organisation.id],
      );
      if (claimed)
        await openAfterHandOverTask(
          manager,
          organisation.id,
          { userId: user.id, identity, joined: true },
          now,
        );
      return user;
    }),
  );
}

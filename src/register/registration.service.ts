import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import type { Config } from '../config';
import { isUniqueViolation } from '../database/availability';
import { claimToken, issueToken } from '../identity/account-token.service';
import { ORGANISATION_FIELDS, type OrganisationDto, type RegistrationDto } from '../identity/account.dto';
import {
  endPendingRegistrations,
  registrationNoticesInLastHour,
  registrationsInLastHour,
} from '../identity/account.queries';
import { addUser, checkNewPassword } from '../identity/account.service';
import { EMAIL_CONFIRMATION_HOURS } from '../identity/email-confirmation.service';
import { hashPassword } from '../identity/password';
import type { SecretBox } from '../identity/secrets';
import { User } from '../identity/user.entity';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { addBuyer } from '../buyer/buyer.service';
import type { BuyerOrganisationRow } from '../buyer/buyer.queries';
import { readSettings } from '../settings/settings.service';
import { buyerEmailAllowed } from '../shared/buyer-domains';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { flagResemblingName } from './name-resemblance.service';
import { createProvider, organisationInput } from './provider.service';

/*
 * Issue 17, fix round: a password registration makes NOTHING until its address is confirmed. The
 * form is kept as a pending registration (an account token of purpose `registration`: only the
 * link's hash, the form and the password's hash sealed with the secrets key, 24 hours, deleted by
 * the daily work once expired), and the address gets a link with no typed text in it. Only the
 * link's confirmation makes the organisation and its first user. So nobody can hold a KvK number
 * with an address that is not theirs, nor make the register mail their words to anyone, and a
 * registration answers the same whatever the address (an address with an account gets a notice
 * and nothing is stored), in about the same time: the password is hashed either way.
 */

/** What a hosting provider's pending registration holds until it is confirmed. */
interface PendingProvider {
  /** Absent in links made before issue 18: those are all providers'. */
  kind?: 'provider';
  kvkNumber: string;
  organisation: Pick<OrganisationDto, (typeof ORGANISATION_FIELDS)[number]>;
  passwordHash: string;
}

/**
 * What a buyer's (inkoper's) pending registration holds (issue 18): only their name and password;
 * their organisation follows from the confirmed address's domain.
 */
interface PendingBuyer {
  kind: 'buyer';
  name: string;
  passwordHash: string;
}

type PendingRegistration = PendingProvider | PendingBuyer;

/** Registration links (and notices) one address gets per hour at most, however often someone registers with it. */
export const REGISTRATION_MAILS_PER_HOUR = 3;

/**
 * A hosting provider registers itself: the form is checked (a number registered already is refused
 * with the way forward, which is public anyway) and kept, pending, until its address is confirmed.
 */
export async function registerProvider(
  dataSource: DataSource,
  dto: RegistrationDto,
  config: Config,
  box: SecretBox,
  now: Date,
): Promise<void> {
  checkNewPassword(dto.password, dto.passwordConfirmation);
  // Everything that can refuse the form is checked before the costly hash.
  await assertKvkFree(dataSource.manager, dto.kvkNumber);
  const passwordHash = await hashPassword(dto.password);
  await dataSource.transaction(async (manager) => {
    const email = dto.email.toLowerCase();
    const user = await manager.findOneBy(User, { email });
    if (user) return noticeToAccount(manager, user, { kvkNumber: dto.kvkNumber }, config, now);
    await holdRegistration(manager, email, pendingOf(dto, passwordHash), box, config, now);
  });
}

/**
 * A buyer (inkoper) registers: the same pending registration as a provider's, with the same answer
 * whatever the address and the same limits; only an address of an allowed government domain is
 * taken (the caller checked it: the page says which domains are allowed).
 */
/**
 * Refuses an address outside the allowed government domains. The form checks this before the
 * per-address registration limit: a refused address keeps nothing and sends nothing, so it must
 * not use up what that address may register.
 */
export function checkBuyerDomain(email: string, config: Config): void {
  if (!buyerEmailAllowed(email, config.buyerEmailDomains))
    throw new ValidationError({ email: ['buyer.domainNotAllowed'] }, undefined, {
      domains: config.buyerEmailDomains.join(', '),
    });
}

export async function registerBuyer(
  dataSource: DataSource,
  dto: { name: string; email: string; password: string; passwordConfirmation: string },
  config: Config,
  box: SecretBox,
  now: Date,
): Promise<void> {
  checkBuyerDomain(dto.email, config);
  checkNewPassword(dto.password, dto.passwordConfirmation);
  const passwordHash = await hashPassword(dto.password);
  await dataSource.transaction(async (manager) => {
    const email = dto.email.toLowerCase();
    const user = await manager.findOneBy(User, { email });
    if (user) return noticeToAccount(manager, user, { role: 'buyer' }, config, now);
    await holdRegistration(manager, email, { kind: 'buyer', name: dto.name, passwordHash }, box, config, now);
  });
}

async function assertKvkFree(manager: EntityManager, kvkNumber: string): Promise<void> {
  if (await manager.existsBy(Provider, { kvkNumber })) {
    throw new ValidationError({ kvkNumber: ['validation.kvkTaken'] });
  }
}

function pendingOf(dto: RegistrationDto, passwordHash: string): PendingProvider {
  const organisation = Object.fromEntries(ORGANISATION_FIELDS.map((field) => [field, dto[field] ?? '']));
  return {
    kind: 'provider',
    kvkNumber: dto.kvkNumber,
    organisation: organisation as PendingProvider['organisation'],
    passwordHash,
  };
}

/**
 * Keeps the registration until its address confirms it, and mails the link. The address's older
 * pending registrations end (the newest form counts); none is kept or mailed when the address got
 * REGISTRATION_MAILS_PER_HOUR links in the last hour: nobody can use the register to flood a mailbox.
 */
async function holdRegistration(
  manager: EntityManager,
  email: string,
  pending: PendingRegistration,
  box: SecretBox,
  config: Config,
  now: Date,
): Promise<void> {
  if ((await registrationsInLastHour(manager, email, now)) >= REGISTRATION_MAILS_PER_HOUR) return;
  await endPendingRegistrations(manager, email, now);
  const token = await issueToken(
    manager,
    {
      purpose: 'registration',
      email,
      userId: null,
      providerId: null,
      role: pending.kind === 'buyer' ? 'buyer' : null,
      createdBy: null,
      payload: box.encrypt(JSON.stringify(pending)),
    },
    EMAIL_CONFIRMATION_HOURS * 3600 * 1000,
    now,
  );
  const link = `${config.publicBaseUrl}${paths.confirmEmail(token)}`;
  await queueMail(
    manager,
    pending.kind === 'buyer'
      ? mailTexts.buyerRegistrationConfirmation(email, link)
      : mailTexts.registrationConfirmation(email, link),
  );
}

/**
 * Someone registered with an address that has an account: nothing is made or kept, and the address
 * hears of it (log in, or reset the password), a few times an hour at most.
 */
async function noticeToAccount(
  manager: EntityManager,
  user: User,
  /** What the registration was for: a provider's KvK number, or a buyer's account. */
  attempt: { kvkNumber: string } | { role: 'buyer' },
  config: Config,
  now: Date,
): Promise<void> {
  if ((await registrationNoticesInLastHour(manager, user.id, now)) >= REGISTRATION_MAILS_PER_HOUR) return;
  const [login, reset] = [
    `${config.publicBaseUrl}${paths.login}`,
    `${config.publicBaseUrl}${paths.forgotPassword}`,
  ];
  await queueMail(
    manager,
    'role' in attempt
      ? // A disabled account can neither log in nor reset its password: say so, and whom to ask.
        user.disabledAt
        ? mailTexts.buyerRegistrationAttemptDisabled(
            user.email,
            // The contact address as the administrators set it (the setting's start value otherwise).
            (await readSettings(manager, config)).contactEmail,
          )
        : mailTexts.buyerRegistrationAttempt(user.email, login, reset)
      : mailTexts.registrationAttempt(user.email, login, reset),
  );
  await appendAuditEvent(manager, now, {
    actor: 'anonymous',
    action: 'user.registration_attempted',
    subjectType: 'user',
    subjectId: user.id,
    data: attempt,
  });
}

/** What confirming a registration's link did. */
export type RegistrationOutcome =
  | { outcome: 'registered'; user: User; provider: Provider }
  /** A buyer's account, in the organisation of their address's domain. */
  | { outcome: 'buyer'; user: User; organisation: BuyerOrganisationRow }
  /** The address has an account meanwhile: nothing was made. */
  | { outcome: 'buyerTaken' }
  /** The number (or the address) was registered meanwhile: nothing was made. */
  | { outcome: 'taken'; field: 'kvkNumber' | 'email'; kvkNumber: string };

/**
 * Confirms a pending registration through its link: the organisation and its first user (address
 * confirmed now) are made in one transaction, with their audit events, the check for a name like a
 * verified provider's, and the receipt mail. Undefined when the token is no usable registration
 * link (the caller tries it as an account's confirmation link). When the number or the address was
 * registered meanwhile, nothing is made and the link is spent: the first confirmed registration wins.
 */
export async function confirmRegistration(
  dataSource: DataSource,
  token: string,
  config: Config,
  box: SecretBox,
  now: Date,
): Promise<RegistrationOutcome | undefined> {
  try {
    return await dataSource.transaction((manager) => completeRegistration(manager, token, config, box, now));
  } catch (error) {
    // Two confirmations racing for the same number or address: the database decides; the loser's
    // link stays as it was, and using it again answers as below.
    if (isUniqueViolation(error, 'providers_kvk_number_key') || isUniqueViolation(error, 'users_email_key'))
      return dataSource.transaction((manager) => completeRegistration(manager, token, config, box, now));
    throw error;
  }
}

async function completeRegistration(
  manager: EntityManager,
  token: string,
  config: Config,
  box: SecretBox,
  now: Date,
): Promise<RegistrationOutcome | undefined> {
  const link = await claimToken(manager, token, 'registration', now);
  if (!link?.payload) return undefined;
  const pending = JSON.parse(box.decrypt(link.payload)) as PendingRegistration;
  await endPendingRegistrations(manager, link.email, now);
  if (pending.kind === 'buyer') {
    if (await manager.existsBy(User, { email: link.email })) return { outcome: 'buyerTaken' };
    const added = await addBuyer(
      manager,
      { email: link.email, name: pending.name, passwordHash: pending.passwordHash },
      undefined,
      now,
    );
    await appendAuditEvent(manager, now, {
      actor: actorOf(added.user),
      action: 'user.email_confirmed',
      subjectType: 'user',
      subjectId: added.user.id,
      data: { way: 'link' },
    });
    return { outcome: 'buyer', ...added };
  }
  if (await manager.existsBy(Provider, { kvkNumber: pending.kvkNumber }))
    return { outcome: 'taken', field: 'kvkNumber', kvkNumber: pending.kvkNumber };
  if (await manager.existsBy(User, { email: link.email }))
    return { outcome: 'taken', field: 'email', kvkNumber: pending.kvkNumber };
  // The provider is created first, by the user about to be added: their id is chosen now.
  const userId = randomUUID();
  const actor = actorOf({ id: userId, role: 'provider' });
  const provider = await createProvider(
    manager,
    organisationInput(pending.kvkNumber, pending.organisation),
    actor,
    now,
  );
  const user = await addUser(
    manager,
    {
      id: userId,
      email: link.email,
      name: pending.organisation.name,
      role: 'provider',
      providerId: provider.id,
      passwordHash: pending.passwordHash,
      emailVerifiedAt: now,
    },
    actor,
    now,
  );
  await appendAuditEvent(manager, now, {
    actor,
    action: 'user.email_confirmed',
    subjectType: 'user',
    subjectId: user.id,
    data: { way: 'link' },
  });
  await flagResemblingName(manager, provider, now);
  const { contactEmail } = await readSettings(manager, config);
  await queueMail(
    manager,
    mailTexts.registrationReceipt(
      user.email,
      provider.legalName,
      provider.kvkNumber,
      `${config.publicBaseUrl}${paths.account}`,
      contactEmail,
    ),
  );
  return { outcome: 'registered', user, provider };
}

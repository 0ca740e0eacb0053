import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { isErasedEmail } from '../audit/people.queries';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { addUser, checkNewPassword } from '../identity/account.service';
import { type DisableRules, setAccountDisabled } from '../identity/disable-account';
import { hashPassword } from '../identity/password';
import { type User } from '../identity/user.entity';
import { emailDomain } from '../shared/buyer-domains';
import { isOneLine } from '../shared/forbidden-characters';
import { isUuid } from '../shared/identifiers';
import { NotFoundError, ValidationError } from '../shared/errors';
import {
  allBuyerAccounts,
  allOrganisations,
  type BuyerAccountRow,
  type BuyerOrganisationRow,
  findOrInsertOrganisation,
  organisationById,
  renameOrganisation,
} from './buyer.queries';

/**
 * Adds a buyer (inkoper) to the organisation of their address's domain (exact domain, lower case),
 * which is made, named after the domain, for its first buyer. The address counts as confirmed: a
 * buyer is only made from a confirmed registration (or by an administrator's command).
 */
export async function addBuyer(
  manager: EntityManager,
  input: { email: string; name: string; passwordHash: string },
  /** Who adds the account; undefined: the buyer themself (a confirmed registration). */
  actor: string | undefined,
  now: Date,
): Promise<{ user: User; organisation: BuyerOrganisationRow }> {
  const domain = emailDomain(input.email);
  if (!domain) throw new ValidationError({ email: ['validation.email'] });
  const { organisation, created } = await findOrInsertOrganisation(manager, domain, now);
  const user = await addUser(
    manager,
    {
      email: input.email,
      name: input.name,
      role: 'buyer',
      providerId: null,
      buyerOrganisationId: organisation.id,
      passwordHash: input.passwordHash,
      emailVerifiedAt: now,
    },
    actor,
    now,
  );
  if (created)
    await appendAuditEvent(manager, now, {
      actor: actor ?? actorOf(user),
      action: 'buyer_organisation.created',
      subjectType: 'buyer_organisation',
      subjectId: organisation.id,
      data: { domain },
    });
  return { user, organisation };
}

/** A buyer from the command line (and for tests and demos): an administrator's act. */
export async function createBuyer(
  dataSource: DataSource,
  input: { email: string; name: string; password: string },
  actor: string,
  now: Date,
): Promise<{ user: User; organisation: BuyerOrganisationRow }> {
  checkNewPassword(input.password, input.password);
  const passwordHash = await hashPassword(input.password);
  return dataSource.transaction((manager) => addBuyer(manager, { ...input, passwordHash }, actor, now));
}

/** A buyer organisation with its accounts, for the administrators' page. */
export interface BuyerOrganisationOverview extends BuyerOrganisationRow {
  accounts: BuyerAccountRow[];
}

/** Every buyer organisation with its accounts (active first). */
export async function buyerOverview(dataSource: DataSource): Promise<BuyerOrganisationOverview[]> {
  const [organisations, accounts] = await Promise.all([
    allOrganisations(dataSource.manager),
    allBuyerAccounts(dataSource.manager),
  ]);
  return organisations.map((organisation) => ({
    ...organisation,
    accounts: accounts.filter((account) => account.organisationId === organisation.id),
  }));
}

/** The name of the buyer's organisation (as an administrator gave it; its domain until then), for their pages. */
export async function organisationNameOf(dataSource: DataSource, buyer: User): Promise<string | undefined> {
  if (!buyer.buyerOrganisationId) return undefined;
  return (await organisationById(dataSource.manager, buyer.buyerOrganisationId))?.name;
}

/** The longest name an organisation may be given (as a watch list's). */
export const MAX_ORGANISATION_NAME = 200;

/** An administrator gives a buyer organisation its proper name (it starts as its domain). */
export async function renameBuyerOrganisation(
  dataSource: DataSource,
  admin: User,
  id: string,
  rawName: string,
  now: Date,
): Promise<void> {
  const name = rawName.trim();
  if (name === '') throw new ValidationError({ buyerOrganisationName: ['validation.required'] });
  if (name.length > MAX_ORGANISATION_NAME)
    throw new ValidationError({ buyerOrganisationName: ['validation.tooLong'] });
  if (!isOneLine(name)) throw new ValidationError({ buyerOrganisationName: ['validation.oneLine'] });
  await dataSource.transaction(async (manager) => {
    if (!isUuid(id) || !(await renameOrganisation(manager, id, name)))
      throw new NotFoundError(`no buyer organisation ${id}`);
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: 'buyer_organisation.renamed',
      subjectType: 'buyer_organisation',
      subjectId: id,
      data: { name },
    });
  });
}

/** A buyer's account as an administrator disables it: its own audit actions, no data. */
const BUYER_ACCOUNTS: DisableRules = {
  role: 'buyer',
  field: 'buyerAccount',
  actions: { disabled: 'buyer.disabled', enabled: 'buyer.enabled' },
  data: () => ({}),
};

/**
 * Disables or re-enables a buyer's account, as staff accounts are (never deleted). Disabling ends
 * their sessions at once; the person is mailed either way.
 */
export async function setBuyerDisabled(
  dataSource: DataSource,
  admin: User,
  userId: string,
  disabled: boolean,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const { account, changed } = await setAccountDisabled(
      manager,
      BUYER_ACCOUNTS,
      actorOf(admin),
      userId,
      disabled,
      now,
    );
    if (changed && !isErasedEmail(account.email))
      await queueMail(
        manager,
        disabled ? mailTexts.buyerDisabled(account.email) : mailTexts.buyerEnabled(account.email),
      );
  });
}

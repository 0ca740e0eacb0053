import type { DataSource } from 'typeorm';
import { User, type WatchMail } from '../../src/identity/user.entity';
import { uniqueKvk } from './provider.factory';
import { givenUser, type TestUser } from './user.factory';

/*
 * Buyers (inkopers, issue 18), their organisations and watch lists: the one set of these factories
 * (the webhook tests use them too). A buyer is made by givenUser, through the register's own
 * createBuyer; the lists are written straight into the tables.
 */

/** A buyer organisation as the tests name it. */
export interface BuyerOrganisation {
  id: string;
  domain: string;
}

/** A buyer organisation with a unique domain, named as an administrator would. */
export async function givenBuyerOrganisation(dataSource: DataSource): Promise<BuyerOrganisation> {
  const domain = `inkoop-${uniqueKvk()}.overheid.nl`;
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO buyer_organisations (domain, name) VALUES ($1, $2) RETURNING id`,
    [domain, `Ministerie ${domain}`],
  );
  return { id: row!.id, domain };
}

/** A test buyer: the user, and the id of their organisation. */
export interface TestBuyer extends TestUser {
  /** The user's id (as the webhook tests use it). */
  id: string;
  organisationId: string;
}

/**
 * A buyer with a confirmed address (givenUser), in `organisation` (a new one when not given),
 * hearing of changes as `watchMail` says (at once unless given), disabled when asked.
 */
export async function givenBuyer(
  dataSource: DataSource,
  options: { organisation?: BuyerOrganisation; watchMail?: WatchMail; disabled?: boolean } = {},
): Promise<TestBuyer> {
  const organisation = options.organisation ?? (await givenBuyerOrganisation(dataSource));
  const buyer = await givenUser(dataSource, 'buyer', {
    buyerDomain: organisation.domain,
    name: 'Test inkoper',
  });
  await dataSource.query(`UPDATE users SET watch_mail = $2, disabled_at = $3 WHERE id = $1`, [
    buyer.user.id,
    options.watchMail ?? 'at_once',
    options.disabled ? new Date() : null,
  ]);
  const user = await dataSource.getRepository(User).findOneByOrFail({ id: buyer.user.id });
  return { ...buyer, user, id: user.id, organisationId: organisation.id };
}

/** A watch list of `owner` holding these suppliers (KvK number, own reference, contract end). */
export async function givenWatchList(
  dataSource: DataSource,
  owner: { user: User; organisationId: string },
  entries: { kvkNumber: string; reference?: string; contractEnd?: string | null }[],
  name = `Contracten ${uniqueKvk()}`,
): Promise<{ id: string; name: string; entryIds: string[] }> {
  const [list] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO watch_lists (buyer_organisation_id, owner_id, name) VALUES ($1, $2, $3) RETURNING id`,
    [owner.organisationId, owner.user.id, name],
  );
  const entryIds: string[] = [];
  for (const entry of entries) {
    const [row] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO watch_list_entries (watch_list_id, kvk_number, reference, contract_end)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [list!.id, entry.kvkNumber, entry.reference ?? '', entry.contractEnd ?? null],
    );
    entryIds.push(row!.id);
  }
  return { id: list!.id, name, entryIds };
}

/** The watch events recorded for a provider, oldest first. */
export function watchEventsOf(
  dataSource: DataSource,
  providerId: string,
): Promise<
  { id: string; kind: string; watch_list_entry_id: string | null; data: Record<string, unknown> }[]
> {
  return dataSource.query(
    `SELECT id::text AS id, kind, watch_list_entry_id, data FROM watch_events WHERE provider_id = $1 ORDER BY watch_events.id`,
    [providerId],
  );
}

/** Every mail in the outbox to `recipient`, oldest first. */
export function mailsTo(
  dataSource: DataSource,
  recipient: string,
): Promise<{ subject: string; body: string }[]> {
  return dataSource.query(`SELECT subject, body FROM outbox WHERE recipient = $1 ORDER BY id`, [
    recipient.toLowerCase(),
  ]);
}

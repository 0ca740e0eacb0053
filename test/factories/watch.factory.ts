import type { DataSource } from 'typeorm';
import { hashPassword } from '../../src/identity/password';
import { User, type WatchMail } from '../../src/identity/user.entity';
import { uniqueKvk } from './provider.factory';
import { TEST_PASSWORD, type TestUser } from './user.factory';

/*
 * Buyers (inkopers, issue 18), their organisations and watch lists, written straight into the
 * tables the migration made: the registration and list pages are another part of the issue.
 */

/** One hash for every test buyer: hashing is slow on purpose, and the password is the same. */
let passwordHash: Promise<string> | undefined;

/** A buyer organisation with a unique domain. */
export async function givenBuyerOrganisation(
  dataSource: DataSource,
): Promise<{ id: string; domain: string }> {
  const domain = `inkoop-${uniqueKvk()}.overheid.nl`;
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO buyer_organisations (domain, name) VALUES ($1, $2) RETURNING id`,
    [domain, `Ministerie ${domain}`],
  );
  return { id: row!.id, domain };
}

/** A buyer of `organisationId` (a new organisation when not given), with a confirmed address. */
export async function givenBuyer(
  dataSource: DataSource,
  options: { organisationId?: string; watchMail?: WatchMail; disabled?: boolean } = {},
): Promise<TestUser & { organisationId: string }> {
  const organisationId = options.organisationId ?? (await givenBuyerOrganisation(dataSource)).id;
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const email = `buyer-${uniqueKvk()}@test.example`;
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO users (email, name, role, buyer_organisation_id, watch_mail, password_hash, email_verified_at, disabled_at)
     VALUES ($1, 'Test inkoper', 'buyer', $2, $3, $4, now(), $5) RETURNING id`,
    [
      email,
      organisationId,
      options.watchMail ?? 'at_once',
      await passwordHash,
      options.disabled ? new Date() : null,
    ],
  );
  const user = await dataSource.getRepository(User).findOneByOrFail({ id: row!.id });
  return { user, email, password: TEST_PASSWORD, organisationId };
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

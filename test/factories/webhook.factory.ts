import type { DataSource } from 'typeorm';
import { hashPassword } from '../../src/identity/password';
import { secretBox } from '../../src/identity/secrets';
import type { Provider } from '../../src/provider/provider.entity';
import { recordWatchEvent, type WatchEventKind } from '../../src/watch/watch-events';
import { newSigningSecret } from '../../src/webhooks/webhook-subscriptions.service';
import { testConfig } from '../helpers/app';
import { givenProvider, uniqueKvk } from './provider.factory';
import { TEST_PASSWORD } from './user.factory';

/** One hash for every test buyer: hashing is slow on purpose. */
let passwordHash: Promise<string> | undefined;

/** Encrypts as the app under test does (the fixed test key). */
export const webhookTestBox = secretBox(testConfig.secretsKey!);

export interface BuyerOrganisation {
  id: string;
  domain: string;
}

/** A buyer organisation with a unique domain. */
export async function givenBuyerOrganisation(dataSource: DataSource): Promise<BuyerOrganisation> {
  const domain = `inkoop${uniqueKvk()}.overheid.nl`;
  const rows = await dataSource.query<{ id: string }[]>(
    `INSERT INTO buyer_organisations (domain, name) VALUES ($1, $2) RETURNING id`,
    [domain, `Ministerie ${domain}`],
  );
  return { id: rows[0]!.id, domain };
}

/** A buyer (confirmed address, active, password TEST_PASSWORD) of `organisation`. */
export async function givenBuyer(
  dataSource: DataSource,
  organisation: BuyerOrganisation,
): Promise<{ id: string; email: string; password: string }> {
  const email = `inkoper-${uniqueKvk()}@${organisation.domain}`;
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const rows = await dataSource.query<{ id: string }[]>(
    `INSERT INTO users (email, name, role, buyer_organisation_id, email_verified_at, password_hash)
     VALUES ($1, 'Test Inkoper', 'buyer', $2, now(), $3) RETURNING id`,
    [email, organisation.id, await passwordHash],
  );
  return { id: rows[0]!.id, email, password: TEST_PASSWORD };
}

/** A watch list of `owner` holding `kvkNumbers`. */
export async function givenWatchList(
  dataSource: DataSource,
  organisation: BuyerOrganisation,
  ownerId: string,
  kvkNumbers: string[],
): Promise<string> {
  const rows = await dataSource.query<{ id: string }[]>(
    `INSERT INTO watch_lists (buyer_organisation_id, owner_id, name) VALUES ($1, $2, 'Contracten') RETURNING id`,
    [organisation.id, ownerId],
  );
  const listId = rows[0]!.id;
  for (const kvk of kvkNumbers) {
    await dataSource.query(`INSERT INTO watch_list_entries (watch_list_id, kvk_number) VALUES ($1, $2)`, [
      listId,
      kvk,
    ]);
  }
  return listId;
}

/** A subscription of `organisation` to `url`, made directly; answers its id and clear secret. */
export async function givenSubscription(
  dataSource: DataSource,
  organisation: BuyerOrganisation,
  url: string,
  options: { createdBy?: string; watchListId?: string | null } = {},
): Promise<{ id: string; secret: string }> {
  const secret = newSigningSecret();
  const rows = await dataSource.query<{ id: string }[]>(
    `INSERT INTO webhook_subscriptions (buyer_organisation_id, watch_list_id, url, secret, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      organisation.id,
      options.watchListId ?? null,
      url,
      webhookTestBox.encrypt(secret),
      options.createdBy ?? null,
    ],
  );
  return { id: rows[0]!.id, secret };
}

/** An organisation with one buyer watching one confirmed provider, subscribed to `url`. */
export async function givenWatchingSubscriber(dataSource: DataSource, url: string) {
  const provider = await givenProvider(dataSource);
  const organisation = await givenBuyerOrganisation(dataSource);
  const buyer = await givenBuyer(dataSource, organisation);
  const listId = await givenWatchList(dataSource, organisation, buyer.id, [provider.kvkNumber]);
  const subscription = await givenSubscription(dataSource, organisation, url, { createdBy: buyer.id });
  return { provider, organisation, buyer, listId, subscription };
}

/** A status change of `provider` recorded as a watch event in a committed transaction; answers its id. */
export function givenStatusChange(
  dataSource: DataSource,
  provider: Pick<Provider, 'id' | 'kvkNumber'>,
  at: Date,
  kind: WatchEventKind = 'status_changed',
): Promise<string> {
  return dataSource.transaction((m) =>
    recordWatchEvent(
      m,
      {
        kind,
        providerId: provider.id,
        kvkNumber: provider.kvkNumber,
        occurredAt: at,
        // As the detection stores it (src/status/watch-detection.ts).
        data: { from: 'verantwoord', to: 'suspended', reasonText: null, since: at.toISOString() },
      },
      at,
    ),
  );
}

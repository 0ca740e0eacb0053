import type { DataSource } from 'typeorm';
import { secretBox } from '../../src/identity/secrets';
import type { Provider } from '../../src/provider/provider.entity';
import { recordWatchEvent, type WatchEventKind } from '../../src/watch/watch-events';
import type { Clock } from '../../src/shared/clock';
import { createLogger } from '../../src/shared/logger';
import { eventSource } from '../../src/webhooks/webhook-event';
import type { SenderSettings } from '../../src/webhooks/webhook-sender';
import { newSigningSecret } from '../../src/webhooks/webhook-subscriptions.service';
import { testConfig } from '../helpers/app';
import { givenProvider } from './provider.factory';
import { type BuyerOrganisation, givenBuyer, givenBuyerOrganisation, givenWatchList } from './watch.factory';

/** Encrypts as the app under test does (the fixed test key). */
export const webhookTestBox = secretBox(testConfig.secretsKey!);

/** The webhook sender's settings in tests: a receiver on loopback allowed, a short timeout, fixed dice. */
export function testSenderSettings(clock: Clock, overrides: Partial<SenderSettings> = {}): SenderSettings {
  return {
    origin: eventSource(testConfig.publicBaseUrl, undefined),
    timeoutMs: 2000,
    production: false,
    allowPrivate: true,
    box: webhookTestBox,
    logger: createLogger('silent'),
    clock,
    publicBaseUrl: testConfig.publicBaseUrl,
    random: () => 0.5,
    ...overrides,
  };
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
  const buyer = await givenBuyer(dataSource, { organisation });
  const listId = (await givenWatchList(dataSource, buyer, [{ kvkNumber: provider.kvkNumber }])).id;
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

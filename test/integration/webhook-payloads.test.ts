import assert from 'node:assert/strict';
import { actOnProvider } from '../../src/application/provider-actions.service';
import { createLogger } from '../../src/shared/logger';
import { FixedClock } from '../../src/shared/clock';
import { addMonths, toLocalDate } from '../../src/shared/time';
import { noticeListingEnds } from '../../src/watch/watch-notices';
import { eventSource } from '../../src/webhooks/webhook-event';
import { sendDueWebhooks } from '../../src/webhooks/webhook-sender';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { givenBuyer, givenWatchList } from '../factories/watch.factory';
import { givenSubscription, webhookTestBox } from '../factories/webhook.factory';
import { schemaValidator, assertValid } from '../helpers/api';
import { givenIssuedAttestation, testConfig, useTestApp } from '../helpers/app';
import { startReceiver, verifiedEvent } from '../helpers/webhook-receiver';

const BASE = testConfig.publicBaseUrl;

/** Every `href` in a JSON value. */
function hrefsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(hrefsOf);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === 'href' ? [String(v)] : hrefsOf(v)));
}

/** Every property name in a JSON value. */
function namesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(namesOf);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [key, ...namesOf(v)]);
}

/**
 * Issue 18 §3: what a receiver gets is what the OpenAPI document says, for every event type:
 * real events (a reviewer's suspension, an attestation, a listing that ends before the contract)
 * delivered to a real receiver, each checked against WebhookGebeurtenis (closed schemas).
 */
describe('the webhook payloads, as documented', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;

  it('delivers each of the three event types with a data object its documented schema accepts, in the API’s words', async () => {
    const receiver = await startReceiver();
    try {
      const reviewer = await givenUser(ds(), 'reviewer');
      // Listed eleven months ago: the listing ends in about a month, the contract runs a year.
      const supplier = await givenProvider(ds());
      await givenApproval(
        ds(),
        supplier,
        await givenCodeVersion(ds()),
        addMonths(new Date(), -11),
        new Date(),
      );
      const buyer = await givenBuyer(ds());
      await givenWatchList(ds(), buyer, [
        { kvkNumber: supplier.kvkNumber, contractEnd: toLocalDate(addMonths(new Date(), 12)) },
      ]);
      const subscription = await givenSubscription(
        ds(),
        { id: buyer.organisationId, domain: '' },
        receiver.url,
      );

      const attestation = await givenIssuedAttestation(ds(), supplier.id);
      await actOnProvider(
        ds(),
        reviewer.user,
        supplier.kvkNumber,
        { action: 'suspend', reason: 'Onderzoek naar misbruik', until: '' },
        testConfig,
        new Date(Date.now() + 1000),
      );
      await ds().transaction((m) => noticeListingEnds(m, new Date(Date.now() + 2000), 90));

      const clock = new FixedClock(new Date(Date.now() + 3000));
      const settings = {
        origin: eventSource(BASE, '00000001234567890000'),
        timeoutMs: 2000,
        production: false,
        allowPrivate: true,
        box: webhookTestBox,
        logger: createLogger('silent'),
        clock,
        publicBaseUrl: BASE,
        random: () => 0.5,
      };
      while ((await sendDueWebhooks(ds(), settings)) > 0);

      const events = receiver.received.map((r) => {
        const event = verifiedEvent(r, subscription.secret);
        assertValid(
          schemaValidator('/components/schemas/WebhookGebeurtenis'),
          JSON.parse(r.body),
          event.type,
        );
        return event;
      });
      const byType = (type: string) => events.filter((e) => e.type === type).map((e) => e.data!);
      assert.deepEqual([...new Set(events.map((e) => e.type))].sort(), [
        'nl.hostingregister.status-gewijzigd',
        'nl.hostingregister.verklaring-gewijzigd',
        'nl.hostingregister.vermelding-eindigt-voor-contract',
      ]);

      const [status] = byType('nl.hostingregister.status-gewijzigd');
      assert.deepEqual(status?.van, { code: 'verantwoord', verantwoord: true, omschrijving: 'Verantwoord' });
      assert.deepEqual(status?.naar, {
        code: 'suspended',
        verantwoord: false,
        omschrijving: 'Niet verantwoord: geschorst',
      });
      assert.equal(status?.toelichting, 'Onderzoek naar misbruik');
      assert.equal(status?.kvkNummer, supplier.kvkNumber);
      assert.equal(status?.naam, supplier.legalName);

      const attestations = byType('nl.hostingregister.verklaring-gewijzigd').map(
        (d) => d.verklaring as { nummer: string; van: string | null; naar: string },
      );
      // Deliveries may arrive in any order: compare as sets.
      assert.deepEqual(
        attestations.map((a) => JSON.stringify([a.nummer, a.van, a.naar])).sort(),
        [
          JSON.stringify([attestation.number, null, 'valid']),
          JSON.stringify([attestation.number, 'valid', 'suspended']),
        ].sort(),
      );
      const [ends] = byType('nl.hostingregister.vermelding-eindigt-voor-contract');
      assert.equal(ends?.contracteinde, toLocalDate(addMonths(new Date(), 12)));

      for (const event of events) {
        // One KvK field, no English names, no internal reason code, every link absolute.
        const names = namesOf(event.data);
        for (const banned of [
          'kvkNumber',
          'legalName',
          'reason',
          'reasonText',
          'verificationPath',
          'from',
          'to',
        ])
          assert.ok(!names.includes(banned), `${event.type} has ${banned}`);
        for (const href of hrefsOf(event.data)) assert.ok(href.startsWith(`${BASE}/`), href);
      }
    } finally {
      await receiver.close();
    }
  });
});

import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { createRegisterDataSource } from '../../src/entities';
import { FixedClock } from '../../src/shared/clock';
import { eventSource } from '../../src/webhooks/webhook-event';
import { postWebhook } from '../../src/webhooks/webhook-http';
import {
  type SenderSettings,
  sendDueWebhooks,
  SENDER_ACTOR,
  startWebhookSender,
} from '../../src/webhooks/webhook-sender';
import { givenStatusChange, givenWatchingSubscriber, testSenderSettings } from '../factories/webhook.factory';
import { testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { answerStatus, startReceiver, verifiedEvent } from '../helpers/webhook-receiver';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('webhook delivery to a real receiver', () => {
  let db: TestDatabase;
  let receiver: Receiver;
  const settingsFor = (clock: FixedClock, overrides: Partial<SenderSettings> = {}): SenderSettings =>
    testSenderSettings(clock, {
      origin: eventSource(testConfig.publicBaseUrl, '00000001234567890000'),
      ...overrides,
    });
  const delivery = async (subscriptionId: string) =>
    (
      await db.dataSource.query<
        {
          id: string;
          attempts: number;
          delivered_at: Date | null;
          given_up_at: Date | null;
          last_error: string | null;
        }[]
      >(
        `SELECT id, attempts, delivered_at, given_up_at, last_error FROM webhook_deliveries WHERE subscription_id = $1`,
        [subscriptionId],
      )
    )[0]!;

  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    // Each test sends only its own deliveries: what an earlier one left pending is ended.
    await db.dataSource.query(
      `UPDATE webhook_deliveries SET given_up_at = now() WHERE delivered_at IS NULL AND given_up_at IS NULL`,
    );
  });

  it('delivers a status change once, signed as Standard Webhooks says and parsable as a CloudEvent of the NL GOV profile', async () => {
    const clock = new FixedClock(new Date());
    const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    const eventId = await givenStatusChange(db.dataSource, provider, clock.now());

    assert.equal(await sendDueWebhooks(db.dataSource, settingsFor(clock)), 1);
    assert.equal(await sendDueWebhooks(db.dataSource, settingsFor(clock)), 0);

    assert.equal(receiver.received.length, 1);
    const request = receiver.received[0]!;
    assert.match(String(request.headers['content-type']), /^application\/cloudevents\+json/);
    const event = verifiedEvent(request, subscription.secret);
    assert.equal(event.specversion, '1.0');
    assert.equal(event.type, 'nl.hostingregister.status-gewijzigd');
    assert.equal(event.source, 'urn:nld:oin:00000001234567890000:systeem:hostingregister');
    assert.equal(event.id, `urn:nld:oin:00000001234567890000:systeem:hostingregister:gebeurtenis:${eventId}`);
    assert.equal(event.subject, provider.kvkNumber);
    assert.equal(event.datacontenttype, 'application/json');
    assert.equal(event.dataref, `${testConfig.publicBaseUrl}/api/v1/hostingproviders/${provider.kvkNumber}`);
    assert.equal((event.data?.naar as { code: string }).code, 'suspended');
    assert.equal(event.data?.kvkNummer, provider.kvkNumber);
    const row = await delivery(subscription.id);
    assert.equal(request.headers['webhook-id'], row.id);
    assert.ok(row.delivered_at);
    assert.equal(row.attempts, 1);
    const log = await db.dataSource.query<{ status_code: number }[]>(
      `SELECT status_code FROM webhook_attempts WHERE delivery_id = $1`,
      [row.id],
    );
    assert.deepEqual(
      log.map((l) => l.status_code),
      [200],
    );
  });

  it('refuses a signature made with another secret', async () => {
    const clock = new FixedClock(new Date());
    const { provider } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    await givenStatusChange(db.dataSource, provider, clock.now());
    await sendDueWebhooks(db.dataSource, settingsFor(clock));
    assert.throws(() =>
      verifiedEvent(receiver.received[0]!, `whsec_${Buffer.alloc(32, 7).toString('base64')}`),
    );
  });

  it('retries a receiver that fails three times with the same webhook-id, then counts it delivered', async () => {
    const start = new Date();
    const clock = new FixedClock(start);
    receiver.answerWith((res, n) => res.writeHead(n < 3 ? 500 : 204).end());
    const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    await givenStatusChange(db.dataSource, provider, clock.now());
    const settings = settingsFor(clock);

    await sendDueWebhooks(db.dataSource, settings);
    // Not due again before its wait (5 s after the first failure).
    clock.advance(4_000);
    assert.equal(await sendDueWebhooks(db.dataSource, settings), 0);
    for (const waitSeconds of [1, 30, 120]) {
      clock.advance(waitSeconds * 1000);
      assert.equal(await sendDueWebhooks(db.dataSource, settings), 1);
    }

    assert.equal(receiver.received.length, 4);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    const eventIds = new Set(receiver.received.map((r) => verifiedEvent(r, subscription.secret).id));
    assert.equal(eventIds.size, 1);
    const row = await delivery(subscription.id);
    assert.ok(row.delivered_at);
    assert.equal(row.attempts, 4);
    const [sub] = await db.dataSource.query<{ consecutive_failures: number }[]>(
      `SELECT consecutive_failures FROM webhook_subscriptions WHERE id = $1`,
      [subscription.id],
    );
    assert.equal(sub!.consecutive_failures, 0);
  });

  it('disables a subscription whose receiver stays down, audits it and mails its owner once', async () => {
    const clock = new FixedClock(new Date());
    receiver.answerWith(answerStatus(503));
    const { provider, buyer, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    await givenStatusChange(db.dataSource, provider, clock.now());
    const settings = settingsFor(clock);

    // Every ten minutes for two days: the retries fall due on their own schedule.
    for (let step = 0; step < 2 * 24 * 6; step++) {
      await sendDueWebhooks(db.dataSource, settings);
      clock.advance(10 * 60 * 1000);
    }

    const [sub] = await db.dataSource.query<{ disabled_at: Date | null; disabled_reason: string | null }[]>(
      `SELECT disabled_at, disabled_reason FROM webhook_subscriptions WHERE id = $1`,
      [subscription.id],
    );
    assert.ok(sub!.disabled_at, 'disabled');
    assert.equal(sub!.disabled_reason, 'repeated_failures');
    // Ten failures and a day without success: the eleventh attempt (about 28 hours in) disables it.
    assert.equal(receiver.received.length, 11);
    assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 1);
    const mails = await db.dataSource.query<{ subject: string; body: string }[]>(
      `SELECT subject, body FROM outbox WHERE recipient = $1`,
      [buyer.email],
    );
    assert.equal(mails.length, 1);
    assert.match(mails[0]!.subject, /Webhook uitgeschakeld/);
    assert.ok(mails[0]!.body.includes(receiver.url));
    assert.ok(!mails[0]!.body.includes('whsec_'));
    const audits = await db.dataSource.query<{ actor: string }[]>(
      `SELECT actor FROM audit_events WHERE action = 'webhook_subscription.disabled' AND subject_id = $1`,
      [subscription.id],
    );
    assert.deepEqual(
      audits.map((a) => a.actor),
      [SENDER_ACTOR],
    );
  });

  it('gives a delivery up three days after it was made', async () => {
    const clock = new FixedClock(new Date());
    receiver.answerWith(answerStatus(500));
    const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    // Success now and then keeps the subscription on: a delivery of another event succeeds daily.
    await givenStatusChange(db.dataSource, provider, clock.now());
    const settings = settingsFor(clock);
    for (let hour = 0; hour <= 80; hour++) {
      await db.dataSource.query(
        `UPDATE webhook_subscriptions SET consecutive_failures = 0, disabled_at = NULL WHERE id = $1`,
        [subscription.id],
      );
      await sendDueWebhooks(db.dataSource, settings);
      clock.advance(3600 * 1000);
    }
    const row = await delivery(subscription.id);
    assert.ok(row.given_up_at);
    assert.equal(row.delivered_at, null);
    assert.equal(row.last_error, 'http_status');
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const clock = new FixedClock(new Date());
    receiver.answerWith((res) => res.writeHead(302, { location: '/elders' }).end());
    const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    await givenStatusChange(db.dataSource, provider, clock.now());
    await sendDueWebhooks(db.dataSource, settingsFor(clock));
    assert.equal(receiver.received.length, 1);
    const row = await delivery(subscription.id);
    assert.equal(row.delivered_at, null);
    assert.equal(row.last_error, 'redirect');
  });

  it('stops reading an oversized answer, and gives up on a receiver that does not answer in time', async () => {
    const clock = new FixedClock(new Date());
    receiver.answerWith((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      // 10 MiB, more than anyone should send back; the sender stops after 64 KiB.
      let left = 160;
      const more = () => {
        while (left-- > 0) if (!res.write(chunk)) return void res.once('drain', more);
        res.end();
      };
      more();
    });
    const big = await givenWatchingSubscriber(db.dataSource, receiver.url);
    await givenStatusChange(db.dataSource, big.provider, clock.now());
    await sendDueWebhooks(db.dataSource, settingsFor(clock));
    assert.ok((await delivery(big.subscription.id)).delivered_at);

    const silent = await startReceiver(() => undefined);
    try {
      const slow = await givenWatchingSubscriber(db.dataSource, silent.url);
      await givenStatusChange(db.dataSource, slow.provider, clock.now());
      const started = performance.now();
      await sendDueWebhooks(db.dataSource, settingsFor(clock, { timeoutMs: 300 }));
      assert.ok(performance.now() - started < 2000, 'the timeout ended the attempt');
      const row = await delivery(slow.subscription.id);
      assert.equal(row.delivered_at, null);
      assert.equal(row.last_error, 'timeout: 300');
    } finally {
      await silent.close();
    }
  });

  for (const target of [
    (port: number) => `http://127.0.0.1:${port}/hooks`,
    (port: number) => `http://[::1]:${port}/hooks`,
    (port: number) => `http://localhost:${port}/hooks`,
    () => 'http://10.1.2.3/hooks',
    () => 'http://169.254.169.254/latest/meta-data',
    (port: number) => `http://[::ffff:127.0.0.1]:${port}/hooks`,
  ]) {
    it(`refuses to send to ${target(0).replace(':0/', '/')} without WEBHOOK_ALLOW_PRIVATE_TARGETS`, async () => {
      const clock = new FixedClock(new Date());
      const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, target(receiver.port));
      await givenStatusChange(db.dataSource, provider, clock.now());
      await sendDueWebhooks(db.dataSource, settingsFor(clock, { allowPrivate: false }));
      assert.equal(receiver.received.length, 0);
      const row = await delivery(subscription.id);
      assert.equal(row.delivered_at, null);
      assert.match(row.last_error ?? '', /^refused_target: /);
    });
  }

  it('checks the resolved address when it connects: a name that resolves to loopback is refused', async () => {
    const outcome = await postWebhook(
      `http://localhost:${receiver.port}/hooks`,
      '{}',
      {},
      {
        timeoutMs: 2000,
        production: false,
        allowPrivate: false,
      },
    );
    assert.equal(receiver.received.length, 0);
    assert.match(outcome.error ?? '', /^refused_target: DNS lookup .* is not allowed/);
  });

  it('delivers each event exactly once with two instances of the app sending at the same time', async () => {
    const clock = new FixedClock(new Date());
    const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    for (let i = 0; i < 60; i++) await givenStatusChange(db.dataSource, provider, clock.now());
    const other: DataSource = createRegisterDataSource({ url: db.url, poolSize: 5 });
    await other.initialize();
    try {
      const counts = await Promise.all([
        sendDueWebhooks(db.dataSource, settingsFor(clock)),
        sendDueWebhooks(other, settingsFor(clock)),
      ]);
      assert.equal(counts[0] + counts[1], 60);
    } finally {
      await other.destroy();
    }
    assert.equal(receiver.received.length, 60);
    const events = receiver.received.map((r) => verifiedEvent(r, subscription.secret).id);
    assert.equal(new Set(events).size, 60);
    assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, 60);
  });

  it('sends at once on the commit of a change (LISTEN/NOTIFY), without waiting for the poll', async () => {
    const clock = new FixedClock(new Date());
    const { provider } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    const sender = startWebhookSender(db.dataSource, settingsFor(clock), 3600);
    try {
      // The listener's first round (for what was committed before it listened) is over.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sender.wake();
      const before = receiver.received.length;
      await givenStatusChange(db.dataSource, provider, clock.now());
      await receiver.waitFor(before + 1, 3000);
    } finally {
      await sender.stop();
    }
  });

  it('listens again after its connection is cut, and sends what was committed meanwhile at once', async () => {
    const clock = new FixedClock(new Date());
    const { provider } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    const sender = startWebhookSender(db.dataSource, settingsFor(clock), 3600);
    const listener = () =>
      db.dataSource.query<{ pid: number }[]>(
        `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN webhook_deliveries' AND datname = current_database()`,
      );
    const until = async (done: () => Promise<boolean>, what: string) => {
      for (const end = Date.now() + 5000; !(await done());) {
        if (Date.now() > end) assert.fail(what);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(async () => (await listener()).length === 1, 'the sender listens');
      const [{ pid }] = (await listener()) as [{ pid: number }];
      // The database ends the listener's connection (a restart, a failover, an idle limit).
      await db.dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
      await until(async () => (await listener()).length === 0, 'the connection is gone');
      // Committed while nobody listens: no NOTIFY reaches the sender, and the poll is an hour away.
      const before = receiver.received.length;
      await givenStatusChange(db.dataSource, provider, clock.now());
      await receiver.waitFor(before + 1, 5000);
      await until(async () => (await listener()).length === 1, 'the sender listens again');
      await givenStatusChange(db.dataSource, provider, clock.now());
      await receiver.waitFor(before + 2, 3000);
    } finally {
      await sender.stop();
    }
  });

  it('records an attempt that could not be signed (a secret sealed with another key) as a failure to retry', async () => {
    const clock = new FixedClock(new Date());
    const { provider, subscription } = await givenWatchingSubscriber(db.dataSource, receiver.url);
    await db.dataSource.query(`UPDATE webhook_subscriptions SET secret = 'v1:ander-sleutel' WHERE id = $1`, [
      subscription.id,
    ]);
    await givenStatusChange(db.dataSource, provider, clock.now());
    await sendDueWebhooks(db.dataSource, settingsFor(clock));
    assert.equal(receiver.received.length, 0, 'nothing unsigned goes out');
    const row = await delivery(subscription.id);
    assert.equal(row.attempts, 1);
    assert.equal(row.delivered_at, null);
    assert.equal(row.given_up_at, null);
    assert.match(String(row.last_error), /^not_sent: /);
  });
});

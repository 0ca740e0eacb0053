import assert from 'node:assert/strict';
import request from 'supertest';
import { User } from '../../src/identity/user.entity';
import { givenProvider } from '../factories/provider.factory';
import { createApiKey } from '../../src/api-keys/api-key.service';
import { FixedClock } from '../../src/shared/clock';
import { sendDueWebhooks } from '../../src/webhooks/webhook-sender';
import { givenBuyer, givenBuyerOrganisation, givenWatchList } from '../factories/watch.factory';
import { givenStatusChange, givenSubscription, testSenderSettings } from '../factories/webhook.factory';
import { assertMatchesDocument } from '../helpers/api';
import { assertValidHtml } from '../helpers/html';
import { TEST_PASSWORD } from '../factories/user.factory';
import { testApp, useTestApp } from '../helpers/app';
import { csrfFrom, signedIn, submitForm } from '../helpers/session';
import { startReceiver, verifiedEvent } from '../helpers/webhook-receiver';

describe('the buyer pages for API keys and webhooks (/inkoop/api-sleutels, /inkoop/webhooks)', () => {
  const context = useTestApp();

  async function signedInBuyer(app = context.app) {
    const organisation = await givenBuyerOrganisation(context.db.dataSource);
    const buyer = await givenBuyer(context.db.dataSource, { organisation });
    const user = await context.db.dataSource.getRepository(User).findOneByOrFail({ id: buyer.id });
    const agent = await signedIn(app, { user, email: buyer.email, password: TEST_PASSWORD });
    return { organisation, buyer, agent };
  }

  it('makes an API key shown once, lists it by its prefix, and revokes it after a confirmation; the key then no longer opens the API', async () => {
    const { agent, buyer } = await signedInBuyer();
    const created = await submitForm(agent, '/inkoop/api-sleutels', '/inkoop/api-sleutels', {
      keyName: 'Contractsysteem',
    });
    assert.equal(created.status, 200);
    assert.equal(created.headers['cache-control'], 'no-store');
    const key = /data-api-key>(vhpk_[A-Za-z0-9_-]+)</.exec(created.text)?.[1];
    assert.ok(key, 'the key is on the answer');
    // Whole, wrapping at any character (no 250 px read-only field), with a copy button that the
    // register's own script shows (no inline script: the CSP allows 'self' only).
    assert.match(created.text, /<code class="register-secret register-shown-once" id="new-api-key"/);
    assert.match(created.text, /<button [^>]*hidden data-copy="new-api-key"/);
    assert.ok(created.text.includes('<script src="/assets/js/copy.js" defer></script>'));
    assert.doesNotMatch(created.text, /<script>/);
    await assertValidHtml(created.text, 'a new API key');
    const script = await request(context.app).get('/assets/js/copy.js').expect(200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.ok(script.text.includes('navigator.clipboard'));
    await request(context.app).get('/api/v1/webhook-abonnementen').set('X-Api-Key', key).expect(200);

    const list = await agent.get('/inkoop/api-sleutels').expect(200);
    assert.ok(!list.text.includes(key), 'never shown again');
    const prefix = key.slice('vhpk_'.length, 'vhpk_'.length + 12);
    assert.ok(list.text.includes(`data-api-key-prefix="${prefix}"`));
    const [row] = await context.db.dataSource.query<{ id: string; created_by: string }[]>(
      `SELECT id, created_by FROM api_keys WHERE prefix = $1`,
      [prefix],
    );
    assert.equal(row!.created_by, buyer.id);

    const confirm = await agent.get(`/inkoop/api-sleutels/${row!.id}/intrekken`).expect(200);
    const revoked = await agent
      .post(`/inkoop/api-sleutels/${row!.id}/intrekken`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text) });
    assert.equal(revoked.status, 303);
    await request(context.app).get('/api/v1/webhook-abonnementen').set('X-Api-Key', key).expect(401);
    const after = await agent.get('/inkoop/api-sleutels').expect(200);
    assert.ok(after.text.includes('data-revoked="yes"'));
  });

  it('re-shows the key form with a message when the name is empty', async () => {
    const { agent } = await signedInBuyer();
    const answer = await submitForm(agent, '/inkoop/api-sleutels', '/inkoop/api-sleutels', {
      keyName: '  ',
    });
    assert.equal(answer.status, 400);
    assert.ok(answer.text.includes('Geef de sleutel een naam'));
    // The field is the key's name, not the person's: label and error summary say so.
    assert.match(answer.text, /<label[^>]*for="field-keyName">Naam van de sleutel</);
    assert.match(answer.text, /href="#field-keyName">Naam van de sleutel: Geef de sleutel een naam/);
    assert.doesNotMatch(answer.text, /Uw naam/);
  });

  it('makes a text-direction mark in a key name or a webhook description a field error, the form kept', async () => {
    const { agent } = await signedInBuyer();
    const key = await submitForm(agent, '/inkoop/api-sleutels', '/inkoop/api-sleutels', {
      keyName: 'Sleutel\u202Eexe.txt',
    });
    assert.equal(key.status, 400);
    assert.match(key.text, /id="error-keyName"/);
    assert.match(key.text, /value="Sleutel\u202Eexe.txt"/, 'what was typed stays');
    const hook = await submitForm(agent, '/inkoop/webhooks', '/inkoop/webhooks', {
      webhookUrl: 'http://127.0.0.1:9/ontvanger',
      webhookWatchList: '',
      webhookDescription: 'Melding\u202Eexe.txt',
    });
    assert.equal(hook.status, 400);
    assert.match(hook.text, /id="error-webhookDescription"/);
    assert.match(hook.text, /value="http:\/\/127.0.0.1:9\/ontvanger"/, 'the address stays');
    const made = await context.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM webhook_subscriptions WHERE description LIKE '%exe.txt' UNION ALL SELECT 1 FROM api_keys WHERE name LIKE '%exe.txt'`,
    );
    assert.equal(made.length, 0, 'nothing was made');
  });

  it('makes a webhook subscription with its secret shown once, shows its page and deletes it', async () => {
    const { agent, organisation, buyer } = await signedInBuyer();
    const provider = await givenProvider(context.db.dataSource);
    const listId = (await givenWatchList(context.db.dataSource, buyer, [{ kvkNumber: provider.kvkNumber }]))
      .id;
    const created = await submitForm(agent, '/inkoop/webhooks', '/inkoop/webhooks', {
      webhookUrl: 'http://127.0.0.1:9/ontvanger',
      webhookWatchList: listId,
      webhookDescription: 'Contractbeheer',
    });
    assert.equal(created.status, 200);
    assert.match(created.text, /<button [^>]*hidden data-copy="new-webhook-secret"/);
    await assertValidHtml(created.text, 'a new webhook subscription');
    const secret = /data-webhook-secret>(whsec_[^<]+)</.exec(created.text)?.[1]?.replaceAll('&#x3D;', '=');
    assert.match(secret ?? '', /^whsec_[A-Za-z0-9+/]{43}=$/);
    const [row] = await context.db.dataSource.query<{ id: string; watch_list_id: string }[]>(
      `SELECT id, watch_list_id FROM webhook_subscriptions WHERE buyer_organisation_id = $1`,
      [organisation.id],
    );
    assert.equal(row!.watch_list_id, listId);
    const page = await agent.get(`/inkoop/webhooks/${row!.id}`).expect(200);
    assert.ok(page.text.includes('http://127.0.0.1:9/ontvanger'));
    assert.ok(!page.text.includes(secret!.slice(6, 30)));

    const other = await signedInBuyer();
    await other.agent.get(`/inkoop/webhooks/${row!.id}`).expect(404);

    const deleted = await agent
      .post(`/inkoop/webhooks/${row!.id}/verwijderen`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(deleted.status, 303);
    await agent.get(`/inkoop/webhooks/${row!.id}`).expect(404);
  });

  it('sends a signed test event to the receiver at once and shows its answer', async () => {
    const receiver = await startReceiver();
    try {
      const { agent, organisation } = await signedInBuyer();
      const created = await submitForm(agent, '/inkoop/webhooks', '/inkoop/webhooks', {
        webhookUrl: receiver.url,
        webhookWatchList: '',
        webhookDescription: '',
      });
      const secret = /data-webhook-secret>(whsec_[^<]+)</.exec(created.text)?.[1]?.replaceAll('&#x3D;', '=');
      const [row] = await context.db.dataSource.query<{ id: string }[]>(
        `SELECT id FROM webhook_subscriptions WHERE buyer_organisation_id = $1`,
        [organisation.id],
      );
      const page = await agent.get(`/inkoop/webhooks/${row!.id}`).expect(200);
      const answer = await agent
        .post(`/inkoop/webhooks/${row!.id}/test`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(200);
      assert.ok(answer.text.includes('data-test-outcome="delivered"'));
      assert.equal(receiver.received.length, 1);
      const event = verifiedEvent(receiver.received[0]!, secret!);
      assert.equal(event.type, 'nl.hostingregister.test');
      assert.match(String(receiver.received[0]!.headers['webhook-id']), /^test_/);

      receiver.answerWith((res) => res.writeHead(500).end());
      const failed = await agent
        .post(`/inkoop/webhooks/${row!.id}/test`)
        .type('form')
        .send({ _csrf: csrfFrom(answer.text) })
        .expect(200);
      assert.ok(failed.text.includes('data-test-outcome="failed"'));
      assert.ok(
        failed.text.includes('De testmelding is niet afgeleverd: de ontvanger antwoordde met HTTP 500.'),
      );

      // A redirect, in the page's language: no English text on a Dutch page.
      receiver.answerWith((res) => res.writeHead(302, { location: '/elders' }).end());
      const redirected = await agent
        .post(`/inkoop/webhooks/${row!.id}/test`)
        .type('form')
        .send({ _csrf: csrfFrom(failed.text) })
        .expect(200);
      assert.ok(redirected.text.includes('(HTTP 302); het register volgt doorverwijzingen niet.'));
      assert.ok(!redirected.text.includes('redirects are not followed'));
    } finally {
      await receiver.close();
    }
  });

  it('refuses a private target in the form, with the typed address kept', async () => {
    const strict = testApp(context.db.dataSource, { config: { webhookAllowPrivateTargets: false } }).app;
    const { agent } = await signedInBuyer(strict);
    const answer = await submitForm(agent, '/inkoop/webhooks', '/inkoop/webhooks', {
      webhookUrl: 'http://169.254.169.254/latest/meta-data',
      webhookWatchList: '',
      webhookDescription: '',
    });
    assert.equal(answer.status, 400);
    assert.ok(answer.text.includes('privé netwerkadres'));
    assert.ok(answer.text.includes('value="http://169.254.169.254/latest/meta-data"'));
  });

  it('turns a disabled subscription on again', async () => {
    const { agent, organisation } = await signedInBuyer();
    const [row] = await context.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhook_subscriptions (buyer_organisation_id, url, secret, disabled_at, disabled_reason, consecutive_failures)
       VALUES ($1, 'http://127.0.0.1:9/x', 'v1:x:y:z', now(), 'repeated_failures', 11) RETURNING id`,
      [organisation.id],
    );
    const page = await agent.get(`/inkoop/webhooks/${row!.id}`).expect(200);
    assert.ok(page.text.includes('te vaak achter elkaar mislukt'));
    const enabled = await agent
      .post(`/inkoop/webhooks/${row!.id}/aanzetten`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(enabled.status, 303);
    const [after] = await context.db.dataSource.query<
      { disabled_at: Date | null; consecutive_failures: number }[]
    >(`SELECT disabled_at, consecutive_failures FROM webhook_subscriptions WHERE id = $1`, [row!.id]);
    assert.equal(after!.disabled_at, null);
    assert.equal(after!.consecutive_failures, 0);
  });

  it('stops at the organisation’s maximum with a message, and past 20 made in an hour keeps the form and says how long to wait; refused addresses do not count', async () => {
    const few = testApp(context.db.dataSource, { config: { webhookMaxSubscriptions: 2 } }).app;
    const { agent: first } = await signedInBuyer(few);
    const form = (url: string) => ({ webhookUrl: url, webhookWatchList: '', webhookDescription: '' });
    for (const n of [1, 2])
      assert.equal(
        (await submitForm(first, '/inkoop/webhooks', '/inkoop/webhooks', form(`http://127.0.0.1:9/${n}`)))
          .status,
        200,
      );
    const full = await submitForm(
      first,
      '/inkoop/webhooks',
      '/inkoop/webhooks',
      form('http://127.0.0.1:9/3'),
    );
    assert.equal(full.status, 400);
    assert.ok(full.text.includes('Uw organisatie heeft al 2 webhook-abonnementen, het maximum'), full.text);

    const loopback = testApp(context.db.dataSource, { config: { webhookMaxSubscriptions: 100 } }).app;
    const { agent: maker } = await signedInBuyer(loopback);
    for (let i = 0; i < 21; i++) {
      const refused = await submitForm(
        maker,
        '/inkoop/webhooks',
        '/inkoop/webhooks',
        form('https://user:pw@example.org/'),
      );
      assert.equal(refused.status, 400, 'a refused address is a field error, and does not count');
    }
    for (let i = 0; i < 20; i++) {
      const made = await submitForm(
        maker,
        '/inkoop/webhooks',
        '/inkoop/webhooks',
        form(`http://127.0.0.1:9/m${i}`),
      );
      assert.equal(made.status, 200, `subscription ${i + 1}`);
    }
    const over = await submitForm(
      maker,
      '/inkoop/webhooks',
      '/inkoop/webhooks',
      form('http://127.0.0.1:9/typed'),
    );
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers['retry-after']) > 3000);
    assert.ok(over.text.includes('het maximale aantal webhook-abonnementen gemaakt'), over.text);
    assert.match(over.text, /data-retry-minutes="(5[0-9]|60)"/);
    assert.ok(over.text.includes('value="http://127.0.0.1:9/typed"'), 'what was typed is kept');
  });

  it('shows a waiting delivery’s failure in words and when it is tried next, on the page and in the API', async () => {
    const receiver = await startReceiver((res) => res.writeHead(500).end());
    try {
      const { agent, organisation, buyer } = await signedInBuyer();
      const provider = await givenProvider(context.db.dataSource);
      await givenWatchList(context.db.dataSource, buyer, [{ kvkNumber: provider.kvkNumber }]);
      const subscription = await givenSubscription(context.db.dataSource, organisation, receiver.url);
      const clock = new FixedClock(new Date());
      await givenStatusChange(context.db.dataSource, provider, clock.now());
      await sendDueWebhooks(context.db.dataSource, testSenderSettings(clock));
      const [due] = await context.db.dataSource.query<{ next_attempt_at: Date }[]>(
        `SELECT next_attempt_at FROM webhook_deliveries WHERE subscription_id = $1`,
        [subscription.id],
      );
      const page = await agent.get(`/inkoop/webhooks/${subscription.id}`).expect(200);
      assert.ok(page.text.includes('de ontvanger antwoordde met HTTP 500.'), 'the failure in Dutch');
      assert.ok(page.text.includes(`data-next-attempt="${due!.next_attempt_at.toISOString()}"`));
      assert.ok(page.text.includes('wacht; volgende poging'));
      await assertValidHtml(page.text, 'a delivery log with a waiting delivery');

      const { key } = await createApiKey(
        context.db.dataSource,
        { organisationId: organisation.id, userId: buyer.id, actor: `buyer:${buyer.id}` },
        'Log',
        new Date(),
      );
      const url = `/api/v1/webhook-abonnementen/${subscription.id}/afleveringen`;
      const log = await request(context.app).get(url).set('X-Api-Key', key).expect(200);
      assertMatchesDocument('GET', url, log);
      const [attempt] = (log.body as { afleveringen: { volgendePogingOp: string | null; fout: string }[] })
        .afleveringen;
      assert.equal(attempt?.volgendePogingOp, due!.next_attempt_at.toISOString());
      assert.equal(attempt?.fout, 'http_status');
    } finally {
      await receiver.close();
    }
  });

  it('limits test events on their own: 20 an hour, then 429 saying so and how long to wait; making a subscription still works', async () => {
    const receiver = await startReceiver();
    try {
      const { agent, organisation } = await signedInBuyer();
      const subscription = await givenSubscription(context.db.dataSource, organisation, receiver.url);
      let page = (await agent.get(`/inkoop/webhooks/${subscription.id}`).expect(200)).text;
      for (let i = 0; i < 20; i++) {
        const sent = await agent
          .post(`/inkoop/webhooks/${subscription.id}/test`)
          .type('form')
          .send({ _csrf: csrfFrom(page) })
          .expect(200);
        page = sent.text;
      }
      const refused = await agent
        .post(`/inkoop/webhooks/${subscription.id}/test`)
        .type('form')
        .send({ _csrf: csrfFrom(page) })
        .expect(429);
      assert.ok(refused.text.includes('het maximale aantal testmeldingen verstuurd'), refused.text);
      assert.match(refused.text, /data-retry-minutes="(5[0-9]|60)"/);
      assert.equal(receiver.received.length, 20);
      const made = await submitForm(agent, '/inkoop/webhooks', '/inkoop/webhooks', {
        webhookUrl: 'http://127.0.0.1:9/ander',
        webhookWatchList: '',
        webhookDescription: '',
      });
      assert.equal(made.status, 200, 'test events do not use up the subscriptions’ limit');
    } finally {
      await receiver.close();
    }
  });
});

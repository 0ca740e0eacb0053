import assert from 'node:assert/strict';
import request from 'supertest';
import { User } from '../../src/identity/user.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenBuyer, givenBuyerOrganisation, givenWatchList } from '../factories/watch.factory';
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
      name: 'Contractsysteem',
    });
    assert.equal(created.status, 200);
    assert.equal(created.headers['cache-control'], 'no-store');
    const key = /value="(vhpk_[A-Za-z0-9_-]+)"/.exec(created.text)?.[1];
    assert.ok(key, 'the key is on the answer');
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
    const answer = await submitForm(agent, '/inkoop/api-sleutels', '/inkoop/api-sleutels', { name: '  ' });
    assert.equal(answer.status, 400);
    assert.ok(answer.text.includes('Geef de sleutel een naam'));
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
    const secret = /value="(whsec_[^"]+)"/.exec(created.text)?.[1]?.replaceAll('&#x3D;', '=');
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
      const secret = /value="(whsec_[^"]+)"/.exec(created.text)?.[1]?.replaceAll('&#x3D;', '=');
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
      assert.ok(failed.text.includes('HTTP 500'));
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
});

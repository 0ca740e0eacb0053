import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiKey, revokeApiKey } from '../../src/api-keys/api-key.service';
import { FixedClock } from '../../src/shared/clock';
import { sendDueWebhooks } from '../../src/webhooks/webhook-sender';
import { givenProvider } from '../factories/provider.factory';
import { givenStatusChange, testSenderSettings } from '../factories/webhook.factory';
import {
  type BuyerOrganisation,
  givenBuyer,
  givenBuyerOrganisation,
  givenWatchList,
} from '../factories/watch.factory';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startReceiver, verifiedEvent } from '../helpers/webhook-receiver';
import { apiDocument, assertMatchesDocument } from '../helpers/api';

const PATH = '/api/v1/webhook-abonnementen';

/** What the tests read of the API's answers. */
interface Answer {
  id: string;
  code: string;
  geheim: string;
  volglijst: string | null;
  actief: boolean;
  opeenvolgendeMislukkingen: number;
  invalidParams: { name: string; code: string }[];
  webhookAbonnementen: { id: string }[];
  afleveringen: { statuscode: number | null }[];
}
const b = (res: { body: unknown }) => res.body as Answer;

describe('the webhook subscriptions API (/api/v1/webhook-abonnementen)', () => {
  let db: TestDatabase;
  let app: Express;
  let strictApp: Express;
  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    strictApp = testApp(db.dataSource, { config: { webhookAllowPrivateTargets: false } }).app;
  });
  after(() => db.drop());

  async function givenKey(organisation?: BuyerOrganisation) {
    const org = organisation ?? (await givenBuyerOrganisation(db.dataSource));
    const buyer = await givenBuyer(db.dataSource, { organisation: org });
    const by = { organisationId: org.id, userId: buyer.id, actor: `buyer:${buyer.id}` };
    const { apiKey, key } = await createApiKey(db.dataSource, by, 'Inkoopsysteem', new Date());
    return { org, buyer, by, apiKey, key };
  }

  it('answers 401 as problem details without a key, with a malformed or unknown key, and with a revoked one', async () => {
    const { by, apiKey, key } = await givenKey();
    const without = await request(app).get(PATH).expect(401);
    assert.match(String(without.headers['content-type']), /application\/problem\+json/);
    assert.equal(b(without).code, 'unauthorized');
    assert.ok(without.headers['www-authenticate']);
    await request(app).get(PATH).set('X-Api-Key', 'nonsense').expect(401);
    await request(app)
      .get(PATH)
      .set('X-Api-Key', `${key.slice(0, -4)}AAAA`)
      .expect(401);
    await request(app).get(PATH).set('X-Api-Key', key).expect(200);
    await request(app).get(PATH).set('Authorization', `Bearer ${key}`).expect(200);
    await revokeApiKey(db.dataSource, by, apiKey.id, new Date());
    await request(app).get(PATH).set('X-Api-Key', key).expect(401);
    const audits = await db.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id`,
      [apiKey.id],
    );
    assert.deepEqual(
      audits.map((a) => a.action),
      ['api_key.created', 'api_key.revoked'],
    );
  });

  it('keeps only a hash of the key, and notes its last use at most once a minute', async () => {
    const { apiKey, key } = await givenKey();
    const [stored] = await db.dataSource.query<{ key_hash: string; last_used_at: Date | null }[]>(
      `SELECT key_hash, last_used_at FROM api_keys WHERE id = $1`,
      [apiKey.id],
    );
    assert.ok(!stored!.key_hash.includes(key.slice(18, 40)));
    assert.equal(stored!.key_hash.length, 64);
    assert.equal(stored!.last_used_at, null);
    await request(app).get(PATH).set('X-Api-Key', key).expect(200);
    const first = (
      await db.dataSource.query<{ last_used_at: Date }[]>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [
        apiKey.id,
      ])
    )[0]!.last_used_at;
    assert.ok(first);
    await request(app).get(PATH).set('X-Api-Key', key).expect(200);
    const second = (
      await db.dataSource.query<{ last_used_at: Date }[]>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [
        apiKey.id,
      ])
    )[0]!.last_used_at;
    assert.equal(second.getTime(), first.getTime());
  });

  it('creates a subscription, answers its secret once, and the delivery it gets verifies with that secret', async () => {
    const receiver = await startReceiver();
    try {
      const { buyer, key } = await givenKey();
      const provider = await givenProvider(db.dataSource);
      const listId = (await givenWatchList(db.dataSource, buyer, [{ kvkNumber: provider.kvkNumber }])).id;
      const created = await request(app)
        .post(PATH)
        .set('X-Api-Key', key)
        .send({ url: receiver.url, volglijst: listId, omschrijving: 'Contractbeheer' })
        .expect(201);
      assert.match(b(created).geheim, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(created.headers['cache-control'], 'no-store', 'no cache keeps the secret');
      assert.equal(b(created).volglijst, listId);
      assert.equal(b(created).actief, true);
      assert.equal(created.headers.location, `${testConfig.publicBaseUrl}${PATH}/${b(created).id}`);
      const [row] = await db.dataSource.query<{ secret: string; created_with_api_key: string }[]>(
        `SELECT secret, created_with_api_key FROM webhook_subscriptions WHERE id = $1`,
        [b(created).id],
      );
      assert.ok(row!.secret.startsWith('v1:'), 'stored encrypted');
      assert.ok(row!.created_with_api_key);

      const one = await request(app)
        .get(`${PATH}/${b(created).id}`)
        .set('X-Api-Key', key)
        .expect(200);
      assert.equal(b(one).geheim, undefined);
      const list = await request(app).get(PATH).set('X-Api-Key', key).expect(200);
      assert.deepEqual(
        b(list).webhookAbonnementen.map((s: { id: string }) => s.id),
        [b(created).id],
      );

      const clock = new FixedClock(new Date());
      await givenStatusChange(db.dataSource, provider, clock.now());
      await sendDueWebhooks(db.dataSource, testSenderSettings(clock));
      assert.equal(receiver.received.length, 1);
      const event = verifiedEvent(receiver.received[0]!, b(created).geheim);
      assert.equal(event.subject, provider.kvkNumber);
      assert.equal(event.source, testConfig.publicBaseUrl);

      const log = await request(app)
        .get(`${PATH}/${b(created).id}/afleveringen`)
        .set('X-Api-Key', key)
        .expect(200);
      assert.equal(b(log).afleveringen.length, 1);
      assert.equal(b(log).afleveringen[0]?.statuscode, 200);
    } finally {
      await receiver.close();
    }
  });

  it('refuses a target on a private address or with a password, and a watch list of another organisation, field by field', async () => {
    const { key } = await givenKey();
    const other = await givenKey();
    const otherList = (await givenWatchList(db.dataSource, other.buyer, [])).id;
    for (const [url, code] of [
      ['http://127.0.0.1:8080/hook', 'private_address'],
      ['http://10.0.0.8/hook', 'private_address'],
      ['http://[::1]/hook', 'private_address'],
      ['http://169.254.169.254/latest', 'private_address'],
      ['http://localhost:9999/hook', 'private_address'],
      ['https://user:pass@example.org/hook', 'userinfo'],
      ['ftp://example.org/hook', 'invalid'],
    ]) {
      const answer = await request(strictApp).post(PATH).set('X-Api-Key', key).send({ url }).expect(400);
      assert.deepEqual(
        b(answer).invalidParams.map((p: { name: string; code: string }) => [p.name, p.code]),
        [['url', code]],
        url,
      );
    }
    const list = await request(app)
      .post(PATH)
      .set('X-Api-Key', key)
      .send({ url: 'http://127.0.0.1:8080/hook', volglijst: otherList })
      .expect(400);
    assert.deepEqual(
      b(list).invalidParams.map((p: { name: string }) => p.name),
      ['volglijst'],
    );
    await request(app)
      .post(PATH)
      .set('X-Api-Key', key)
      .send({ url: 'http://127.0.0.1/x', extra: 1 })
      .expect(400);
    // A field named __proto__ is an unknown field like any other (sent as text: a literal would set the prototype).
    const proto = await request(app)
      .post(PATH)
      .set('X-Api-Key', key)
      .set('Content-Type', 'application/json')
      .send('{"url":"http://127.0.0.1:8080/hook","__proto__":{"polluted":"ja"}}')
      .expect(400);
    assert.deepEqual(
      b(proto).invalidParams.map((p: { name: string }) => p.name),
      ['__proto__'],
    );
    await request(app)
      .post(PATH)
      .set('X-Api-Key', key)
      .set('Content-Type', 'text/plain')
      .send('x')
      .expect(415);
  });

  it("hides another organisation's subscription (404), re-enables a disabled one and deletes one, each audited", async () => {
    const mine = await givenKey();
    const theirs = await givenKey();
    const created = await request(app)
      .post(PATH)
      .set('X-Api-Key', mine.key)
      .send({ url: 'http://127.0.0.1:9/hook' })
      .expect(201);
    const id = b(created).id;
    await request(app).get(`${PATH}/${id}`).set('X-Api-Key', theirs.key).expect(404);
    await request(app).delete(`${PATH}/${id}`).set('X-Api-Key', theirs.key).expect(404);
    await request(app).get(`${PATH}/not-a-uuid`).set('X-Api-Key', mine.key).expect(400);

    await db.dataSource.query(
      `UPDATE webhook_subscriptions SET disabled_at = now(), disabled_reason = 'repeated_failures', consecutive_failures = 12 WHERE id = $1`,
      [id],
    );
    await request(app).patch(`${PATH}/${id}`).set('X-Api-Key', mine.key).send({ actief: false }).expect(400);
    const enabled = await request(app)
      .patch(`${PATH}/${id}`)
      .set('X-Api-Key', mine.key)
      .send({ actief: true })
      .expect(200);
    assert.equal(b(enabled).actief, true);
    assert.equal(b(enabled).opeenvolgendeMislukkingen, 0);
    await request(app).delete(`${PATH}/${id}`).set('X-Api-Key', mine.key).expect(204);
    await request(app).get(`${PATH}/${id}`).set('X-Api-Key', mine.key).expect(404);
    const audits = await db.dataSource.query<{ action: string; actor: string }[]>(
      `SELECT action, actor FROM audit_events WHERE subject_id = $1 ORDER BY id`,
      [id],
    );
    assert.deepEqual(
      audits.map((a) => a.action),
      ['webhook_subscription.created', 'webhook_subscription.enabled', 'webhook_subscription.deleted'],
    );
    assert.ok(audits.every((a) => a.actor === `api_key:${mine.apiKey.id}`));
  });

  it('answers as its OpenAPI document says, every operation, success and problems', async () => {
    const { key } = await givenKey();
    const check = (method: string, url: string, res: request.Response) =>
      assertMatchesDocument(method, url, res);
    check('GET', PATH, await request(app).get(PATH).expect(401));
    const created = await request(app)
      .post(PATH)
      .set('X-Api-Key', key)
      .send({ url: 'http://127.0.0.1:9/h' })
      .expect(201);
    check('POST', PATH, created);
    check('POST', PATH, await request(app).post(PATH).set('X-Api-Key', key).send({ url: 1 }).expect(400));
    const one = `${PATH}/${b(created).id}`;
    check('GET', PATH, await request(app).get(PATH).set('X-Api-Key', key).expect(200));
    check('GET', one, await request(app).get(one).set('X-Api-Key', key).expect(200));
    check('GET', `${PATH}/x`, await request(app).get(`${PATH}/x`).set('X-Api-Key', key).expect(400));
    check(
      'PATCH',
      one,
      await request(app).patch(one).set('X-Api-Key', key).send({ actief: true }).expect(200),
    );
    check(
      'GET',
      `${one}/afleveringen`,
      await request(app).get(`${one}/afleveringen`).set('X-Api-Key', key).expect(200),
    );
    // A body over the operation's limit: 413, documented, its detail naming that limit.
    const padding = 'x'.repeat(17 * 1024);
    const big = await request(app)
      .post(PATH)
      .set('X-Api-Key', key)
      .send({ url: 'http://127.0.0.1:9/h', omschrijving: padding })
      .expect(413);
    check('POST', PATH, big);
    assert.match((big.body as { detail: string }).detail, /groter dan 16 kB, de grens van deze operatie/);
    const bigPatch = await request(app)
      .patch(one)
      .set('X-Api-Key', key)
      .set('Accept-Language', 'en')
      .send({ actief: true, x: 'x'.repeat(5 * 1024) })
      .expect(413);
    check('PATCH', one, bigPatch);
    assert.match(
      (bigPatch.body as { detail: string }).detail,
      /larger than 4 kB, the limit of this operation/,
    );
    check('DELETE', one, await request(app).delete(one).set('X-Api-Key', key).expect(204));
    check('GET', one, await request(app).get(one).set('X-Api-Key', key).expect(404));
  });

  it('answers 405 for a method the collection does not have, with Allow, as documented', async () => {
    const { key } = await givenKey();
    const answer = await request(app).put(PATH).set('X-Api-Key', key).send({}).expect(405);
    assert.equal(answer.headers.allow, 'GET, POST');
    const documented = (apiDocument.components as { responses: Record<string, { headers: object }> })
      .responses.MethodeNietToegestaan;
    assert.ok(documented && 'Allow' in documented.headers, 'the 405 answer is documented, with Allow');
    const post = (apiDocument.paths as Record<string, Record<string, { responses: object }>>)[
      '/webhook-abonnementen'
    ]!.post!;
    assert.ok('405' in post.responses && '413' in post.responses);
  });

  it('stops an organisation at WEBHOOK_MAX_SUBSCRIPTIONS (web and API together), with a problem that says the maximum', async () => {
    const few = testApp(db.dataSource, { config: { webhookMaxSubscriptions: 3 } }).app;
    const { key, org } = await givenKey();
    const colleague = await givenKey(org);
    for (let i = 0; i < 3; i++) {
      await request(few)
        .post(PATH)
        .set('X-Api-Key', i === 0 ? colleague.key : key)
        .send({ url: `http://127.0.0.1:8080/hook/${i}` })
        .expect(201);
    }
    const refused = await request(few)
      .post(PATH)
      .set('X-Api-Key', colleague.key)
      .set('Accept-Language', 'nl')
      .send({ url: 'http://127.0.0.1:8080/hook/4' })
      .expect(400);
    const [param] = (refused.body as { invalidParams: { name: string; code: string; reason: string }[] })
      .invalidParams;
    assert.deepEqual([param?.name, param?.code], ['url', 'tooManySubscriptions']);
    assert.match(param!.reason, /al 3 webhook-abonnementen/);
    const [{ n }] = await db.dataSource.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM webhook_subscriptions WHERE buyer_organisation_id = $1`,
      [org.id],
    );
    assert.equal(n, 3);
    // Another organisation has its own maximum.
    const other = await givenKey();
    await request(few).post(PATH).set('X-Api-Key', other.key).send({ url: 'http://127.0.0.1/x' }).expect(201);
  });

  it('limits the subscriptions one key makes in an hour as the web form does; refused URLs do not count', async () => {
    const many = testApp(db.dataSource, { config: { webhookMaxSubscriptions: 100 } }).app;
    const { key, org } = await givenKey();
    for (let i = 0; i < 25; i++) {
      await request(many)
        .post(PATH)
        .set('X-Api-Key', key)
        .send({ url: 'https://user:pw@example.org/' })
        .expect(400);
    }
    for (let i = 0; i < 20; i++) {
      await request(many)
        .post(PATH)
        .set('X-Api-Key', key)
        .send({ url: `http://127.0.0.1:8080/hook/${i}` })
        .expect(201);
    }
    const refused = await request(many)
      .post(PATH)
      .set('X-Api-Key', key)
      .send({ url: 'http://127.0.0.1:8080/hook/21' })
      .expect(429);
    assert.ok(Number(refused.headers['retry-after']) > 3000, refused.headers['retry-after']);
    // The limit is per key: another key of the organisation may still make one.
    const other = await givenKey(org);
    await request(many)
      .post(PATH)
      .set('X-Api-Key', other.key)
      .send({ url: 'http://127.0.0.1/x' })
      .expect(201);
  });

  it('refuses a client whose failing keys keep failing with 429 and Retry-After, but lets a good key through', async () => {
    const { key } = await givenKey();
    // Last in this file: the failures count per client address, and every test here sends from the
    // same one (the first test's two bad keys count too); 20 failures a minute are allowed.
    const strictLimits = app;
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const answer = await request(strictLimits)
        .get(PATH)
        .set('X-Api-Key', `vhpk_${'A'.repeat(12)}_${'B'.repeat(43)}`);
      statuses.push(answer.status);
    }
    const firstRefusal = statuses.indexOf(429);
    assert.ok(firstRefusal > 0 && firstRefusal <= 20, String(statuses));
    assert.ok(statuses.slice(0, firstRefusal).every((s) => s === 401));
    assert.ok(statuses.slice(firstRefusal).every((s) => s === 429));
    const refused = await request(strictLimits)
      .get(PATH)
      .set('X-Api-Key', `vhpk_${'C'.repeat(12)}_${'D'.repeat(43)}`)
      .expect(429);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    // A valid key from the same address is checked first and passes.
    await request(strictLimits).get(PATH).set('X-Api-Key', key).expect(200);
  });
});

import assert from 'node:assert/strict';
import { addDays, toLocalDate } from '../../src/shared/time';
import request from 'supertest';
import { createApiKey, revokeApiKey } from '../../src/api-keys/api-key.service';
import { SupplierSuspendedError } from '../../src/shared/errors';
import { emptyIdentity } from '../../src/signals/reseller-identifiers';
import { createSignals } from '../../src/signals/signal.service';
import { useTestApp } from '../helpers/app';
import { assertMatchesDocument } from '../helpers/api';
import { signedIn, submitForm } from '../helpers/session';
import { givenUser } from '../factories/user.factory';
import { givenProvider } from '../factories/provider.factory';
import {
  givenReferencedMatch,
  givenSignal,
  givenSignalSupplier,
  testSignalKeys,
} from '../factories/signal.factory';

const PATH = '/api/v1/signalen';

interface Answer {
  id: string;
  nummer: string;
  code: string;
  status: string;
  invalidParams: { name: string; code: string; reason: string }[];
  signalen: { id: string; nummer: string; cijfers: { aanbiedersMetOvereenkomst: unknown } }[];
  domeinen: string[];
  toelichting: string;
  cijfers: { aanbiedersMetOvereenkomst: unknown; mediaanDagenTotAntwoord: number | null; gedeeld: unknown[] };
}
const b = (res: { body: unknown }) => res.body as Answer;

describe('the signals API (/api/v1/signalen, issue 19)', () => {
  const context = useTestApp();
  const q = <T>(sql: string, params: unknown[] = []) => context.db.dataSource.query<T[]>(sql, params);

  async function givenSupplierKey() {
    const supplier = await givenSignalSupplier(context.db.dataSource);
    const person = await givenUser(context.db.dataSource, 'signal_supplier', {
      signalSupplierId: supplier.id,
    });
    const by = {
      organisationId: supplier.id,
      userId: person.user.id,
      actor: `signal_supplier:${person.user.id}`,
      owner: 'signal_supplier' as const,
    };
    const { apiKey, key } = await createApiKey(context.db.dataSource, by, 'Politiesysteem', new Date());
    return { supplier, person, by, apiKey, key };
  }
  const post = (key: string, body: unknown) =>
    request(context.app)
      .post(PATH)
      .set('X-Api-Key', key)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body));

  it('creates a signal: 201 with Location, sealed at rest, source api, audited without content', async () => {
    const { key, apiKey } = await givenSupplierKey();
    const res = await post(key, {
      kvkNummers: ['87654321'],
      domeinen: ['api-boef.example'],
      asNummers: [64511],
      categorie: 'botnet',
      betrouwbaarheid: 'medium',
      toelichting: 'Via de API',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assertMatchesDocument('POST', PATH, res);
    assert.match(b(res).nummer, /^SIG-\d{6}$/);
    assert.equal(res.headers.location, `http://register.test/api/v1/signalen/${b(res).id}`);
    assert.ok(!JSON.stringify(res.body).includes('api-boef'), 'the answer repeats no content');
    const [row] = await q<{ sealed: string; source: string; created_with_api_key: string }>(
      `SELECT sealed, source, created_with_api_key FROM signals WHERE id = $1`,
      [b(res).id],
    );
    assert.equal(row!.source, 'api');
    assert.equal(row!.created_with_api_key, apiKey.id);
    assert.deepEqual(testSignalKeys.open(row!.sealed).identity.domains, ['api-boef.example']);
    const audit = await q<{ actor: string; data: string }>(
      `SELECT actor, data::text AS data FROM audit_events WHERE subject_id = $1`,
      [b(res).id],
    );
    assert.equal(audit[0]!.actor, `api_key:${apiKey.id}`);
    assert.ok(!audit.some((e) => /api-boef|87654321|64511|Via de API/.test(e.data)));
  });

  it('answers 400 with every problem by field, an identifier by its place in the list', async () => {
    const { key } = await givenSupplierKey();
    const res = await post(key, { domeinen: ['goed.example', 'niet goed'], categorie: 'onbekend', extra: 1 });
    assert.equal(res.status, 400);
    assert.deepEqual(
      b(res)
        .invalidParams.map((p) => p.name)
        .sort(),
      ['extra'],
    );
    const second = await post(key, { domeinen: ['goed.example', 'niet goed'], categorie: 'onbekend' });
    assert.equal(second.status, 400);
    assertMatchesDocument('POST', PATH, second);
    assert.deepEqual(
      b(second)
        .invalidParams.map((p) => p.name)
        .sort(),
      ['betrouwbaarheid', 'categorie', 'domeinen[1]'],
    );
    // More than the document's maxItems (1000) of one kind: the list is refused as a whole.
    const many = await post(key, {
      domeinen: Array.from({ length: 1001 }, (_, i) => `d${i}.example`),
      categorie: 'spam',
      betrouwbaarheid: 'low',
    });
    assert.equal(many.status, 400);
    assert.deepEqual(
      b(many).invalidParams.map((p) => [p.name, p.code]),
      [['domeinen', 'tooManyIdentifiers']],
    );
    const none = await post(key, { categorie: 'spam', betrouwbaarheid: 'low' });
    assert.deepEqual(
      b(none).invalidParams.map((p) => p.name),
      ['kenmerken'],
    );
    const wrongType = await post(key, {
      domeinen: 'boef.example',
      categorie: 'spam',
      betrouwbaarheid: 'low',
    });
    assert.deepEqual(
      b(wrongType).invalidParams.map((p) => p.name),
      ['domeinen'],
    );
  });

  it('refuses every unknown field by name, __proto__, constructor and prototype too, and pollutes no prototype', async () => {
    const { key, supplier } = await givenSupplierKey();
    const good = '"domeinen":["proto.example"],"categorie":"spam","betrouwbaarheid":"low"';
    // Written as text: an object literal with __proto__ would set its prototype, not send the field.
    for (const [field, value] of [
      ['__proto__', '{"polluted":"ja"}'],
      ['constructor', '{"prototype":{"polluted":"ja"}}'],
      ['prototype', '{"polluted":"ja"}'],
      ['onbekend', '1'],
    ] as const) {
      const res = await request(context.app)
        .post(PATH)
        .set('X-Api-Key', key)
        .set('Content-Type', 'application/json')
        .send(`{${good},"${field}":${value}}`);
      assert.equal(res.status, 400, field);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assertMatchesDocument('POST', PATH, res);
      assert.deepEqual(
        b(res).invalidParams.map((p) => [p.name, p.code]),
        [[field, 'unknownField']],
        field,
      );
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const [stored] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM signals WHERE signal_supplier_id = $1`,
      [supplier.id],
    );
    assert.equal(stored!.n, 0, 'nothing stored');
  });

  it('refuses a page that is not a whole number from 1 (400 problem, as the register search)', async () => {
    const { key } = await givenSupplierKey();
    for (const pagina of ['-1', '0', '1.5', 'abc', '99999999999', '', '1e3']) {
      const res = await request(context.app).get(PATH).query({ pagina }).set('X-Api-Key', key);
      assert.equal(res.status, 400, pagina);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assertMatchesDocument('GET', PATH, res);
      assert.deepEqual(
        b(res).invalidParams.map((p) => [p.name, p.code]),
        [['pagina', 'page']],
        pagina,
      );
    }
    const twice = await request(context.app).get(`${PATH}?pagina=1&pagina=2`).set('X-Api-Key', key);
    assert.equal(twice.status, 400);
    assert.equal((await request(context.app).get(`${PATH}?pagina=2`).set('X-Api-Key', key)).status, 200);
  });

  it('refuses a signal already expired, a date in 1900 and a free-mail domain, each by field with a reason (F2, F7)', async () => {
    const { key } = await givenSupplierKey();
    const base = { categorie: 'fraud', betrouwbaarheid: 'high' };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ domeinen: ['a-verlopen.nl'], datum: '1900-01-01' }, 'datum', /meer dan twee jaar terug/],
      [
        {
          domeinen: ['a-verlopen.nl'],
          datum: toLocalDate(addDays(new Date(), -30)),
          verloopdatum: toLocalDate(addDays(new Date(), -1)),
        },
        'verloopdatum',
        /vandaag of eerder/,
      ],
      [{ maildomeinen: ['evil.guy@gmail.com'] }, 'maildomeinen[0]', /openbare maildienst/],
    ];
    for (const [body, name, reason] of cases) {
      const res = await post(key, { ...base, ...body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assertMatchesDocument('POST', PATH, res);
      const problem = b(res).invalidParams.find((p) => p.name === name);
      assert.ok(problem, `${name} in ${JSON.stringify(b(res).invalidParams)}`);
      assert.match(problem.reason, reason);
    }
  });

  it('lists own signals with aggregates; reads one (audited) with its content; 404 for another supplier’s', async () => {
    const mine = await givenSupplierKey();
    const theirs = await givenSupplierKey();
    const signal = await givenSignal(
      context.db.dataSource,
      mine.supplier.id,
      { domains: ['lees.example'] },
      { text: 'Lees mij' },
    );
    for (let i = 0; i < 3; i++)
      await givenReferencedMatch(
        context.db.dataSource,
        signal.id,
        (await givenProvider(context.db.dataSource)).id,
        {
          answers: [{ action: 'terminated', at: new Date() }],
        },
      );
    const other = await givenSignal(context.db.dataSource, theirs.supplier.id, {
      domains: ['ander.example'],
    });
    const list = await request(context.app).get(PATH).set('X-Api-Key', mine.key);
    assert.equal(list.status, 200);
    // One organisation's answer (with the matches shared with it): no cache may keep it for another key.
    assert.equal(list.headers['cache-control'], 'no-store');
    assertMatchesDocument('GET', PATH, list);
    assert.deepEqual(
      b(list).signalen.map((s) => s.id),
      [signal.id],
    );
    assert.deepEqual(b(list).signalen[0]!.cijfers.aanbiedersMetOvereenkomst, { aantal: 3 });
    assert.ok(!JSON.stringify(list.body).includes('lees.example'));
    const one = await request(context.app).get(`${PATH}/${signal.id}`).set('X-Api-Key', mine.key);
    assert.equal(one.status, 200);
    assert.equal(one.headers['cache-control'], 'no-store');
    assertMatchesDocument('GET', `${PATH}/${signal.id}`, one);
    assert.deepEqual(b(one).domeinen, ['lees.example']);
    assert.equal(b(one).toelichting, 'Lees mij');
    const [reads] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'signal.read' AND subject_id = $1`,
      [signal.id],
    );
    assert.equal(reads!.n, 1);
    assert.equal(
      (await request(context.app).get(`${PATH}/${other.id}`).set('X-Api-Key', mine.key)).status,
      404,
    );
    assert.equal(
      (await request(context.app).get(`${PATH}/geen-uuid`).set('X-Api-Key', mine.key)).status,
      400,
    );
    assert.equal(
      (await request(context.app).delete(`${PATH}/${other.id}`).set('X-Api-Key', mine.key)).status,
      404,
    );
  });

  it('withdraws with DELETE (204), audited', async () => {
    const { key, supplier } = await givenSupplierKey();
    const signal = await givenSignal(context.db.dataSource, supplier.id, { domains: ['weg-api.example'] });
    assert.equal(
      (await request(context.app).delete(`${PATH}/${signal.id}`).set('X-Api-Key', key)).status,
      204,
    );
    const [row] = await q<{ withdrawn: boolean }>(
      `SELECT withdrawn_at IS NOT NULL AS withdrawn FROM signals WHERE id = $1`,
      [signal.id],
    );
    assert.equal(row!.withdrawn, true);
    const one = await request(context.app).get(`${PATH}/${signal.id}`).set('X-Api-Key', key);
    assert.equal(b(one).status, 'withdrawn');
  });

  it('takes only a signal supplier’s key: no key, a buyer’s key or a revoked key is 401; a supplier’s key opens no buyer API', async () => {
    const { key, by, apiKey } = await givenSupplierKey();
    assert.equal((await request(context.app).get(PATH)).status, 401);
    const buyer = await givenUser(context.db.dataSource, 'buyer');
    const buyerKey = await createApiKey(
      context.db.dataSource,
      {
        organisationId: buyer.user.buyerOrganisationId!,
        userId: buyer.user.id,
        actor: `buyer:${buyer.user.id}`,
      },
      'Inkoop',
      new Date(),
    );
    assert.equal((await request(context.app).get(PATH).set('X-Api-Key', buyerKey.key)).status, 401);
    assert.equal(
      (await request(context.app).get('/api/v1/webhook-abonnementen').set('X-Api-Key', key)).status,
      401,
    );
    assert.equal(
      (await request(context.app).get('/api/v1/webhook-abonnementen').set('X-Api-Key', buyerKey.key)).status,
      200,
    );
    await revokeApiKey(context.db.dataSource, by, apiKey.id, new Date());
    assert.equal((await request(context.app).get(PATH).set('Authorization', `Bearer ${key}`)).status, 401);
  });

  it('the supplier makes and revokes keys on /signalen/api-sleutels; the key is shown once', async () => {
    const person = await givenUser(context.db.dataSource, 'signal_supplier');
    const agent = await signedIn(context.app, person);
    const page = await submitForm(agent, '/signalen/api-sleutels', '/signalen/api-sleutels', {
      keyName: 'Zaaksysteem',
    });
    assert.equal(page.status, 200);
    assert.match(page.text, /<label[^>]*for="field-keyName">Naam van de sleutel</);
    assert.doesNotMatch(page.text, /Uw naam/);
    const key = /data-api-key>(vhpk_[^<]+)</.exec(page.text)?.[1];
    assert.ok(key);
    assert.equal((await request(context.app).get(PATH).set('X-Api-Key', key)).status, 200);
    const [row] = await q<{ id: string; signal_supplier_id: string }>(
      `SELECT id, signal_supplier_id FROM api_keys WHERE name = 'Zaaksysteem'`,
    );
    assert.equal(row!.signal_supplier_id, person.user.signalSupplierId);
    const list = await agent.get('/signalen/api-sleutels');
    assert.ok(!list.text.includes(key));
    const revoke = `/signalen/api-sleutels/${row!.id}/intrekken`;
    assert.equal((await submitForm(agent, revoke, revoke, {})).status, 303);
    assert.equal((await request(context.app).get(PATH).set('X-Api-Key', key)).status, 401);
    // Another supplier's person does not find the key.
    const other = await signedIn(context.app, await givenUser(context.db.dataSource, 'signal_supplier'));
    assert.equal((await submitForm(other, '/signalen/api-sleutels', revoke, {})).status, 404);
  });

  const valid = {
    domeinen: ['nummer-boef.example'],
    categorie: 'phishing',
    betrouwbaarheid: 'high',
  };

  it('numbers signals per supplier (F19): a second supplier’s first signal is SIG-000001, whatever the first sent', async () => {
    const first = await givenSupplierKey();
    for (let i = 0; i < 3; i++) assert.equal((await post(first.key, valid)).status, 201);
    const second = await givenSupplierKey();
    const res = await post(second.key, valid);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(b(res).nummer, 'SIG-000001');
    assert.equal(b(await post(first.key, valid)).nummer, 'SIG-000004');
    // The list and one signal say the same numbers.
    const list = await request(context.app).get(PATH).set('X-Api-Key', second.key);
    assert.deepEqual(
      b(list).signalen.map((s) => s.nummer),
      ['SIG-000001'],
    );
    const one = await request(context.app)
      .get(`${PATH}/${b(res).id}`)
      .set('X-Api-Key', second.key);
    assert.equal(b(one).nummer, 'SIG-000001');
    // The audit event keeps the number the supplier was given.
    const [event] = await q<{ data: { number: string } }>(
      `SELECT data FROM audit_events WHERE action = 'signal.created' AND subject_id = $1`,
      [b(res).id],
    );
    assert.equal(event!.data.number, '1');
  });

  it('gives signals sent at the same time different, consecutive numbers (F19)', async () => {
    const { key, supplier } = await givenSupplierKey();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(key, valid)));
    assert.deepEqual(
      answers.map((r) => r.status),
      [201, 201, 201, 201, 201, 201],
    );
    assert.deepEqual(answers.map((r) => b(r).nummer).sort(), [
      'SIG-000001',
      'SIG-000002',
      'SIG-000003',
      'SIG-000004',
      'SIG-000005',
      'SIG-000006',
    ]);
    const [counter] = await q<{ last_signal_number: string }>(
      `SELECT last_signal_number FROM signal_suppliers WHERE id = $1`,
      [supplier.id],
    );
    assert.equal(counter!.last_signal_number, '6');
  });

  it('refuses every key of a suspended supplier with 403 problem+json, and takes them again when reinstated (F22)', async () => {
    const { key, supplier, by } = await givenSupplierKey();
    const { key: revokedKey, apiKey: revoked } = await createApiKey(
      context.db.dataSource,
      by,
      'Oud',
      new Date(),
    );
    await revokeApiKey(context.db.dataSource, by, revoked.id, new Date());
    const admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
    const page = `/beheer/signaalleveranciers/${supplier.id}`;
    const suspend = await submitForm(admin, page, `${page}/status`, { action: 'suspend' });
    assert.equal(suspend.status, 303);

    const read = await request(context.app).get(PATH).set('X-Api-Key', key).set('Accept-Language', 'en');
    assert.equal(read.status, 403);
    assert.match(read.headers['content-type'] as string, /^application\/problem\+json/);
    assert.equal(b(read).code, 'organisationSuspended');
    assertMatchesDocument('GET', PATH, read);
    const send = await post(key, valid);
    assert.equal(send.status, 403);
    assert.equal(b(send).code, 'organisationSuspended');
    assert.equal(
      (
        await q<{ n: number }>(`SELECT count(*)::int AS n FROM signals WHERE signal_supplier_id = $1`, [
          supplier.id,
        ])
      )[0]!.n,
      0,
      'nothing stored',
    );
    // A revoked key stays what it was: unknown (401).
    assert.equal((await request(context.app).get(PATH).set('X-Api-Key', revokedKey)).status, 401);

    assert.equal((await submitForm(admin, page, `${page}/status`, { action: 'reinstate' })).status, 303);
    assert.equal((await request(context.app).get(PATH).set('X-Api-Key', key)).status, 200);
    assert.equal((await request(context.app).get(PATH).set('X-Api-Key', revokedKey)).status, 401);
  });

  it('refuses a signal of a supplier suspended after its key was checked: nothing stored (F22)', async () => {
    const { supplier, person } = await givenSupplierKey();
    await q(`UPDATE signal_suppliers SET disabled_at = now() WHERE id = $1`, [supplier.id]);
    await assert.rejects(
      createSignals(
        context.db.dataSource,
        testSignalKeys,
        {
          supplierId: supplier.id,
          actor: `signal_supplier:${person.user.id}`,
          userId: person.user.id,
          apiKeyId: null,
        },
        [
          {
            identity: { ...emptyIdentity(), domains: ['laat-geschorst.example'] },
            category: 'phishing',
            confidence: 'high',
            observedOn: '2026-11-01',
            expiresOn: '2099-12-31',
            text: '',
          },
        ],
        'form',
        { answerDays: 30, baseUrl: 'http://register.test' },
        new Date(),
      ),
      SupplierSuspendedError,
    );
    assert.equal(
      (
        await q<{ n: number }>(`SELECT count(*)::int AS n FROM signals WHERE signal_supplier_id = $1`, [
          supplier.id,
        ])
      )[0]!.n,
      0,
    );
  });
});

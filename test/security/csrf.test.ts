import { givenSubscription } from '../factories/webhook.factory';
import { createApiKey } from '../../src/api-keys/api-key.service';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { inviteColleague, inviteStaff } from '../../src/identity/invitation.service';
import { addEvidence, startApplication } from '../../src/application/application.service';
import { simplePdf } from '../../src/seed/demo-pdf';
import { givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { addDays } from '../../src/shared/time';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { appRoutes } from '../helpers/routes';
import { UPLOAD_ROUTES } from '../../src/web/upload';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';
import { must } from '../../src/shared/must';
import { addWatchEntry, createWatchList, watchLimitsOf } from '../../src/buyer/watch-list.service';
import { declareResellers, resellerLimitsOf } from '../../src/signals/declared-reseller.service';
import { matchSignals } from '../../src/signals/signal-matching';
import { givenSignal, givenSignalSupplier, testSignalKeys } from '../factories/signal.factory';

const WHO = ['anonymous', 'provider', 'reviewer', 'admin', 'buyer', 'signal'] as const;
type Who = (typeof WHO)[number];

/** Tables whose rows change only by what a request does (sessions and rate limits move by themselves). */
const VOLATILE = new Set(['sessions', 'rate_limits', 'migrations', 'typeorm_metadata']);

/** One digest over every row of every table: equal digests, nothing changed. */
/**
 * A refused request is itself recorded (security.csrf_refused, item 17): that is not data it
 * changed. Nor are what that record brings with it: the IP address kept beside the log, and its
 * leaf in the transparency log (merkle_nodes holds only hashes over the leaves, so the leaves
 * stand for it).
 */
const NOT_A_REFUSAL = `event_id IN (SELECT id FROM audit_events WHERE action NOT LIKE 'security.%')`;
const RECORDS_OF_REFUSALS: Record<string, string> = {
  audit_events: ` WHERE action NOT LIKE 'security.%'`,
  audit_personal_data: ` WHERE ${NOT_A_REFUSAL}`,
  merkle_leaves: ` WHERE ${NOT_A_REFUSAL}`,
  merkle_nodes: ` WHERE false`,
};

async function stateDigest(dataSource: DataSource): Promise<string> {
  const tables = (
    await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )
  )
    .map((t) => t.table_name)
    .filter((t) => !VOLATILE.has(t));
  const parts: string[] = [];
  for (const table of tables) {
    const [row] = await dataSource.query<{ d: string }[]>(
      `SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS d FROM "${table}" t${
        RECORDS_OF_REFUSALS[table] ?? ''
      }`,
    );
    parts.push(`${table}=${must(row, 'a count gives one row').d}`);
  }
  return parts.join(',');
}

describe('CSRF: every POST route refuses forged requests', () => {
  let db: TestDatabase;
  let app: Express;
  const agents = {} as Record<Who, Agent>;
  const identities = new Map<Who, TestUser>();
  let fill: (route: string) => string;

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    const provider = await givenProvider(db.dataSource);
    identities.set('provider', await givenUser(db.dataSource, 'provider', { providerId: provider.id }));
    identities.set('reviewer', await givenUser(db.dataSource, 'reviewer'));
    identities.set('admin', await givenUser(db.dataSource, 'admin'));
    identities.set('buyer', await givenUser(db.dataSource, 'buyer'));
    // A signal supplier with a signal (issue 19): a forged request withdraws nothing.
    identities.set('signal', await givenUser(db.dataSource, 'signal_supplier'));
    const signalPerson = identities.get('signal')!.user;
    const signal = await givenSignal(db.dataSource, signalPerson.signalSupplierId!, {
      domains: ['boef.example'],
    });
    const signalKey = await createApiKey(
      db.dataSource,
      {
        organisationId: signalPerson.signalSupplierId!,
        userId: signalPerson.id,
        actor: `signal_supplier:${signalPerson.id}`,
        owner: 'signal_supplier',
      },
      'Politiesysteem',
      new Date(),
    );
    // A watch list of the buyer's organisation with an entry (issue 18): a forged request must change neither.
    const buyer = identities.get('buyer')!.user;
    const watchListId = await createWatchList(
      db.dataSource,
      buyer,
      'Lijst',
      watchLimitsOf(testConfig),
      new Date(),
    );
    await addWatchEntry(
      db.dataSource,
      buyer,
      watchListId,
      { kvkNumber: provider.kvkNumber, reference: '', contractStart: '', contractEnd: '' },
      watchLimitsOf(testConfig),
      new Date(),
    );
    // A webhook subscription and an API key of that organisation: a forged request changes neither.
    const organisation = { id: buyer.buyerOrganisationId!, domain: buyer.email.split('@')[1]! };
    const webhook = await givenSubscription(db.dataSource, organisation, 'http://127.0.0.1:9/ontvanger');
    const { apiKey } = await createApiKey(
      db.dataSource,
      { organisationId: organisation.id, userId: buyer.id, actor: `buyer:${buyer.id}` },
      'Inkoopsysteem',
      new Date(),
    );
    const [watchEntry] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM watch_list_entries WHERE watch_list_id = $1`,
      [watchListId],
    );
    assert.ok(watchEntry, 'the watch list has an entry');
    const application = await startApplication(
      db.dataSource,
      identities.get('provider')!.user,
      testConfig,
      new Date(),
    );
    const evidence = await addEvidence(
      db.dataSource,
      identities.get('provider')!.user,
      application.id,
      { kind: 'other', filename: 'bijlage.pdf', content: simplePdf('bijlage') },
      testConfig,
      new Date(),
    );
    const [task] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO review_tasks (provider_id, kind, created_at) VALUES ($1, 'aan_missing_from_list', now()) RETURNING id`,
      [provider.id],
    );
    assert.ok(task, 'INSERT … RETURNING gives the new row');
    const reviewerId = identities.get('reviewer')!.user.id;
    await inviteColleague(
      db.dataSource,
      identities.get('provider')!.user,
      'collega@test.example',
      'http://register.test',
      {
        perUserPerHour: 10,
        pendingPerProvider: 10,
      },
      new Date(),
    );
    const [invitation] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM account_tokens WHERE purpose = 'invitation' AND provider_id IS NOT NULL`,
    );
    assert.ok(invitation, 'the colleague is invited');
    await inviteStaff(
      db.dataSource,
      identities.get('admin')!.user,
      'staf@test.example',
      'auditor',
      'http://register.test',
      new Date(),
    );
    const [staffInvitation] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM account_tokens WHERE purpose = 'invitation' AND provider_id IS NULL`,
    );
    assert.ok(staffInvitation, 'a member of staff is invited');
    // A version announced for next month, which may still be withdrawn.
    const announced = await givenCodeVersion(db.dataSource, { publishedAt: addDays(new Date(), 30) });
    // A declared reseller of the provider, and a signal's match with it (issue 19).
    const providerUser = identities.get('provider')!.user;
    const [reseller] = await db.dataSource
      .transaction((m) =>
        declareResellers(
          m,
          testSignalKeys,
          { id: providerUser.id, role: 'provider', providerId: provider.id },
          [
            {
              reference: '',
              names: [],
              kvkNumber: null,
              domains: ['csrf-wederverkoper.nl'],
              mailDomains: [],
              ipRanges: [],
              asNumbers: [],
            },
          ],
          { source: 'form', field: 'resellerNames' },
          resellerLimitsOf(testConfig),
          { answerDays: 30, baseUrl: testConfig.publicBaseUrl },
          new Date(),
        ),
      )
      .then((outcome) => outcome.ids);
    const matchedSignal = await givenSignal(db.dataSource, (await givenSignalSupplier(db.dataSource)).id, {
      domains: ['csrf-wederverkoper.nl'],
    });
    await db.dataSource.transaction((m) =>
      matchSignals(
        m,
        testSignalKeys,
        [matchedSignal.id],
        { answerDays: 30, baseUrl: testConfig.publicBaseUrl },
        new Date(),
      ),
    );
    const [signalMatch] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM signal_matches WHERE signal_id = $1`,
      [matchedSignal.id],
    );
    assert.ok(reseller && signalMatch, 'the provider has a declared reseller that a signal matches');
    // Real ids everywhere, so that a forged request that got through would change something.
    fill = (route) => {
      const url = route
        .replace(/^\/aanvragen\/:id/, `/aanvragen/${application.id}`)
        .replace(':evidenceId', evidence.id)
        .replace(/^\/beoordeling\/aanvragen\/:id/, `/beoordeling/aanvragen/${application.id}`)
        .replace(/^\/beoordeling\/taken\/:id/, `/beoordeling/taken/${task.id}`)
        // Refused before any claim is looked up: an id of none will do.
        .replace(/^\/beoordeling\/claims\/:id/, '/beoordeling/claims/00000000-0000-4000-8000-000000000000')
        .replace(
          /^\/beheer\/medewerkers\/uitnodigingen\/:id/,
          `/beheer/medewerkers/uitnodigingen/${staffInvitation.id}`,
        )
        .replace(/^\/beheer\/medewerkers\/:id/, `/beheer/medewerkers/${reviewerId}`)
        .replace(/^\/beheer\/gedragscode\/:id/, `/beheer/gedragscode/${announced.id}`)
        .replace(/^\/account\/uitnodigingen\/:id/, `/account/uitnodigingen/${invitation.id}`)
        .replace(/^\/inkoop\/volglijsten\/:id/, `/inkoop/volglijsten/${watchListId}`)
        .replace(':entryId', watchEntry.id)
        .replace(/^\/inkoop\/webhooks\/:id/, `/inkoop/webhooks/${webhook.id}`)
        .replace(/^\/inkoop\/api-sleutels\/:id/, `/inkoop/api-sleutels/${apiKey.id}`)
        .replace(
          /^\/beheer\/inkopers\/organisaties\/:id/,
          `/beheer/inkopers/organisaties/${buyer.buyerOrganisationId}`,
        )
        .replace(/^\/beheer\/inkopers\/:id/, `/beheer/inkopers/${buyer.id}`)
        .replace(/^\/account\/wederverkopers\/:id/, `/account/wederverkopers/${reseller}`)
        .replace(/^\/account\/signalen\/:id/, `/account/signalen/${signalMatch.id}`)
        .replace(/^\/signalen\/api-sleutels\/:id/, `/signalen/api-sleutels/${signalKey.apiKey.id}`)
        .replace(/^\/signalen\/:id/, `/signalen/${signal.id}`)
        .replace(
          /^\/beheer\/signaalleveranciers\/personen\/:id/,
          `/beheer/signaalleveranciers/personen/${signalPerson.id}`,
        )
        .replace(
          /^\/beheer\/signaalleveranciers\/:id/,
          `/beheer/signaalleveranciers/${signalPerson.signalSupplierId}`,
        )
        .replace(':keyId', signalKey.apiKey.id)
        .replace(':kvkNumber', provider.kvkNumber)
        .replace(':token', 'onbekend');
      assert.doesNotMatch(url, /:/, `no id to fill in for ${route}`);
      return url;
    };
    agents.anonymous = request.agent(app);
    for (const who of WHO.filter((w) => w !== 'anonymous'))
      agents[who] = await signedIn(app, identities.get(who)!);
  });
  after(() => db.drop());

  /** A real token of this browser, from a page with a form ('' once a forged request locked it out). */
  async function tokenOf(who: Who): Promise<string> {
    const page = await agents[who].get(who === 'anonymous' ? '/inloggen' : '/account');
    return /name="_csrf"/.test(page.text) ? csrfFrom(page.text) : '';
  }

  async function stillSignedIn(who: Who): Promise<void> {
    if (who === 'anonymous') return;
    const res = await agents[who].get('/account');
    assert.equal(res.status, 200, `${who} was signed out by a forged request`);
  }

  /**
   * POST routes that need no CSRF token, and why. They are mounted before sessions and tokens,
   * read no cookie and act for no one, so a forged request has no one's authority to borrow.
   */
  const MACHINE_POSTS: Record<string, string> = {
    '/transparantie/cosignaturen':
      "a witness's cosignature (text/plain) is authenticated by its own signature with a key of LOG_WITNESS_KEYS",
  };

  // The JSON API is stateless and takes JSON only (no cookies, so nothing to forge).
  const postRoutes = () =>
    appRoutes(app)
      .filter((r) => r.startsWith('POST ') && !r.startsWith('POST /api/'))
      .map((r) => r.slice('POST '.length))
      .filter((r) => !(r in MACHINE_POSTS));

  it('the POST routes that take no token are machine endpoints: whatever a browser sends them, with whatever session, changes nothing', async () => {
    for (const route of Object.keys(MACHINE_POSTS)) {
      assert.ok(appRoutes(app).includes(`POST ${route}`), `${route} is served`);
      for (const who of WHO) {
        const before = await stateDigest(db.dataSource);
        const token = await tokenOf(who);
        const statuses = [
          (await agents[who].post(route).type('form').send({ _csrf: token })).status,
          (
            await agents[who]
              .post(route)
              .set('Origin', 'https://evil.example')
              .type('text/plain')
              .send('x\n\ny')
          ).status,
          (await agents[who].post(route).field('_csrf', token)).status,
        ];
        assert.deepEqual(statuses, [415, 400, 415], `${who} POST ${route}`);
        assert.equal(await stateDigest(db.dataSource), before, `${who} POST ${route}: data changed`);
        await stillSignedIn(who);
      }
    }
  });

  it('walks every POST route of the app (the list below is not empty)', () => {
    const routes = postRoutes();
    assert.ok(routes.length > 20, `only ${routes.length} POST routes found`);
    for (const route of [
      '/uitloggen',
      '/beheer/medewerkers/:id/status',
      '/account/verklaringen',
      '/aanvragen',
    ])
      assert.ok(routes.includes(route), `${route} is walked`);
  });

  it('refuses, on every POST route and for everyone: no token, no token as multipart, a foreign Origin, Origin: null, Sec-Fetch-Site: cross-site', async function () {
    this.timeout(240_000);
    const failures: string[] = [];
    const pdf = simplePdf('forged');
    for (const route of postRoutes()) {
      const url = fill(route);
      for (const who of WHO) {
        const agent = agents[who];
        const before = await stateDigest(db.dataSource);
        const token = await tokenOf(who);
        const answers: Record<string, number> = {
          formWithoutToken: (await agent.post(url).type('form').send({ reason: 'x' })).status,
          multipartWithoutToken: (await agent.post(url).field('reason', 'x').field('kind', 'other')).status,
          multipartFileWithoutToken: (
            await agent
              .post(url)
              .field('kind', 'other')
              .attach('file', pdf, 'x.pdf')
              .attach('bestand', pdf, 'y.pdf')
          ).status,
          foreignOrigin: (
            await agent.post(url).set('Origin', 'https://evil.example').type('form').send({ _csrf: token })
          ).status,
          nullOrigin: (await agent.post(url).set('Origin', 'null').type('form').send({ _csrf: token }))
            .status,
          crossSite: (
            await agent.post(url).set('Sec-Fetch-Site', 'cross-site').type('form').send({ _csrf: token })
          ).status,
        };
        for (const [attack, status] of Object.entries(answers)) {
          const allowed = attack.startsWith('multipart') ? [403, 415] : [403];
          if (!allowed.includes(status)) failures.push(`${who} ${attack} POST ${route}: ${status}`);
        }
        // Compared before any signing back in below (a login records itself).
        if ((await stateDigest(db.dataSource)) !== before)
          failures.push(`${who} POST ${route}: data changed`);
        const signedOut = await stillSignedIn(who).then(
          () => undefined,
          (error: Error) => error.message,
        );
        if (signedOut) {
          failures.push(`${who} POST ${route}: ${signedOut}`);
          // A forged request may have disabled the account itself: then the walk goes on signed out.
          agents[who] = await signedIn(app, identities.get(who)!).catch(() => agents[who]);
        }
      }
    }
    assert.equal(
      failures.length,
      0,
      `${failures.length} forged requests not refused:\n${failures.join('\n')}`,
    );
  });

  it('accepts the same token from the register itself (own or public Origin, same-origin fetch)', async () => {
    const agent = agents.provider;
    // `null`: what Chromium sends on a same-origin form post when the page forbids referrers.
    for (const origin of [testConfig.publicBaseUrl, undefined, 'null']) {
      const token = await tokenOf('provider');
      const res = agent.post('/account/collegas').set('Sec-Fetch-Site', 'same-origin').type('form');
      if (origin) res.set('Origin', origin);
      // An empty invitation: a form error (400), so the request got past every CSRF check.
      assert.equal((await res.send({ _csrf: token })).status, 400);
    }
  });

  it('refuses a same-site (sibling subdomain) post with a valid token', async () => {
    const token = await tokenOf('provider');
    const res = await agents.provider
      .post('/account/collegas')
      .set('Sec-Fetch-Site', 'same-site')
      .type('form')
      .send({ _csrf: token, email: 'x@test.example' });
    assert.equal(res.status, 403);
  });

  it('refuses malformed or oversized multipart forms without a valid token (403) on every upload route, before saying what is wrong with them', async function () {
    this.timeout(120_000);
    const BOUNDARY = 'vhp-forged';
    const part = (disposition: string, value: string) =>
      `--${BOUNDARY}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n${value}\r\n`;
    const manyFields = Array.from({ length: 300 }, (_, i) => part(`name="f${i}"`, 'x')).join('');
    const nulFile = part('name="file"; filename="a\u0000b.pdf"', '%PDF-1.7');
    const bodies = (token: string): Record<string, { type: string; body: string }> => ({
      manyFieldsWithoutToken: { type: `multipart/form-data; boundary=${BOUNDARY}`, body: manyFields },
      manyFieldsWithWrongToken: {
        type: `multipart/form-data; boundary=${BOUNDARY}`,
        body: part('name="_csrf"', 'vervalst') + manyFields,
      },
      manyFieldsThenToken: {
        type: `multipart/form-data; boundary=${BOUNDARY}`,
        body: manyFields + part('name="_csrf"', token),
      },
      nulInFileNameWithoutToken: { type: `multipart/form-data; boundary=${BOUNDARY}`, body: nulFile },
      noBoundary: { type: 'multipart/form-data', body: part('name="_csrf"', token) },
      cutOffWithoutToken: {
        type: `multipart/form-data; boundary=${BOUNDARY}`,
        body: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother`,
      },
    });
    const failures: string[] = [];
    for (const route of UPLOAD_ROUTES) {
      const url = fill(route);
      for (const who of WHO) {
        const token = await tokenOf(who);
        for (const [attack, { type, body }] of Object.entries(bodies(token))) {
          const res = await agents[who]
            .post(url)
            .set('Content-Type', type)
            .send(Buffer.from(`${body}--${BOUNDARY}--\r\n`, 'utf8'));
          if (res.status !== 403) failures.push(`${who} ${attack} POST ${route}: ${res.status}`);
        }
        await stillSignedIn(who);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('answers multipart outside the upload routes with a clear 415 page', async () => {
    const token = await tokenOf('admin');
    const res = await agents.admin.post(fill('/beheer/medewerkers/:id/status')).field('_csrf', token);
    assert.equal(res.status, 415);
    assert.match(res.text, /neemt geen bestanden aan/);
  });
});

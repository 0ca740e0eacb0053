import { createRegisterDataSource } from '../../src/entities';
import { createHash } from 'node:crypto';
import { simplePdf } from '../../src/seed/demo-pdf';
import assert from 'node:assert/strict';
import request from 'supertest';
import { runMigrations } from '../../src/database/connect';
import { Provider } from '../../src/provider/provider.entity';
import { createLogger } from '../../src/shared/logger';
import { toLocalDate } from '../../src/shared/time';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { givenUser, registrationFields } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/database';
import { confirmationLinkTo } from '../helpers/outbox';
import { type Agent, signedIn, submitForm, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

/**
 * Anyone can register an organisation under any name. Until a reviewer has confirmed who it is,
 * a registration must not show up next to (or above) the real provider in any public output.
 */
describe('squatting: an unconfirmed registration in public outputs', () => {
  const ctx = useTestApp();
  let listed: Provider;
  let squatterKvk: string;
  let reviewer: Agent;

  before(async () => {
    const version = await givenCodeVersion(ctx.db.dataSource);
    listed = await givenProvider(ctx.db.dataSource, {
      legalName: 'Polderwolk B.V.',
      tradeNames: ['Polderwolk'],
    });
    await givenApproval(ctx.db.dataSource, listed, version, new Date(Date.now() - 30 * 86_400_000));

    const fields = registrationFields({ legalName: 'Polderwolk Hosting B.V.', tradeNames: 'Polderwolk' });
    squatterKvk = fields.kvkNumber;
    const signup = await submitForm(request.agent(ctx.app), '/registreren', '/registreren', fields);
    assert.equal(signup.status, 303, 'the registration itself is accepted');
    // The squatter confirms its own address: that says nothing about who the organisation is.
    const link = await confirmationLinkTo(ctx.db.dataSource, fields.email);
    assert.equal((await submitForm(request.agent(ctx.app), link, link, {})).status, 200);
    const squatter = await ctx.db.dataSource
      .getRepository(Provider)
      .findOneByOrFail({ kvkNumber: squatterKvk });
    assert.equal(squatter.identityConfirmedAt, null);
    // A submitted application puts a status change in the history (and so, if unfiltered, in the feed).
    await givenStatusEvent(ctx.db.dataSource, {
      providerId: squatter.id,
      kind: 'application_submitted',
      effectiveAt: new Date(),
    });
    reviewer = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'reviewer'));
  });

  /** Every public output, each answering whether the squatter's number appears in it. */
  const outputs: [string, () => Promise<boolean>][] = [
    [
      'GET /hostingproviders?q=Polderwolk (name search)',
      async () => {
        const res = await request(ctx.app).get('/hostingproviders?q=Polderwolk').expect(200);
        assert.ok(res.text.includes(listed.kvkNumber), 'the listed provider is found');
        return res.text.includes(squatterKvk);
      },
    ],
    [
      'GET /hostingproviders?q=Polderwolk Hosting (both words)',
      async () => {
        const res = await request(ctx.app).get('/hostingproviders?q=Polderwolk%20Hosting').expect(200);
        return res.text.includes(squatterKvk);
      },
    ],
    [
      'GET /hostingproviders?q=<kvk> (KvK search)',
      async () => {
        const res = await request(ctx.app).get(`/hostingproviders?q=${squatterKvk}`).expect(200);
        return res.text.includes(`data-kvk="${squatterKvk}"`);
      },
    ],
    [
      'GET /hostingproviders?q=<kvk prefix>',
      async () => {
        const res = await request(ctx.app)
          .get(`/hostingproviders?q=${squatterKvk.slice(0, 7)}`)
          .expect(200);
        return res.text.includes(`data-kvk="${squatterKvk}"`);
      },
    ],
    [
      'GET /hostingproviders (whole register)',
      async () => {
        const res = await request(ctx.app).get('/hostingproviders?sort=name').expect(200);
        return res.text.includes(squatterKvk);
      },
    ],
    [
      'GET /hostingproviders/:kvk',
      async () => {
        const res = await request(ctx.app).get(`/hostingproviders/${squatterKvk}`);
        assert.ok([200, 404].includes(res.status), `answered ${res.status}`);
        return res.status === 200;
      },
    ],
    [
      'GET /controleren (lookup)',
      async () => {
        const res = await request(ctx.app)
          .get(`/controleren?kvkNummer=${squatterKvk}&peildatum=${toLocalDate(new Date())}`)
          .expect(200);
        return res.text.includes('Polderwolk Hosting');
      },
    ],
    [
      'POST /controleren/lijst (bulk check)',
      async () => {
        const agent = request.agent(ctx.app);
        const token = await tokenFor(agent, '/controleren/lijst');
        const res = await agent
          .post('/controleren/lijst')
          .field('_csrf', token)
          .field('nummers', `${squatterKvk};leverancier`)
          .field('peildatum', toLocalDate(new Date()))
          .field('formaat', 'html')
          .expect(200);
        return !/data-outcome="onbekend"/.test(res.text) || res.text.includes('Polderwolk Hosting');
      },
    ],
    [
      'GET /api/v1/hostingproviders?zoekterm=Polderwolk',
      async () => {
        const res = await request(ctx.app).get('/api/v1/hostingproviders?zoekterm=Polderwolk').expect(200);
        return res.text.includes(squatterKvk);
      },
    ],
    [
      'GET /api/v1/hostingproviders?zoekterm=<kvk>',
      async () => {
        const res = await request(ctx.app)
          .get(`/api/v1/hostingproviders?zoekterm=${squatterKvk}`)
          .expect(200);
        return (res.body as { paginering: { totaal: number } }).paginering.totaal > 0;
      },
    ],
    [
      'GET /api/v1/hostingproviders (list)',
      async () => {
        const res = await request(ctx.app).get('/api/v1/hostingproviders?paginaGrootte=100').expect(200);
        return res.text.includes(squatterKvk);
      },
    ],
    [
      'GET /api/v1/hostingproviders/:kvk',
      async () => {
        const res = await request(ctx.app).get(`/api/v1/hostingproviders/${squatterKvk}`);
        assert.ok([200, 404].includes(res.status), `answered ${res.status}`);
        return res.status === 200;
      },
    ],
    [
      'GET /api/v1/hostingproviders/:kvk?peildatum',
      async () => {
        const res = await request(ctx.app).get(
          `/api/v1/hostingproviders/${squatterKvk}?peildatum=${toLocalDate(new Date())}`,
        );
        return res.status === 200;
      },
    ],
    [
      'GET /api/v1/hostingproviders/:kvk/statuswijzigingen',
      async () => {
        const res = await request(ctx.app).get(`/api/v1/hostingproviders/${squatterKvk}/statuswijzigingen`);
        return res.status === 200;
      },
    ],
    [
      'POST /api/v1/controles',
      async () => {
        const res = await request(ctx.app)
          .post('/api/v1/controles')
          .send({ kvkNummers: [squatterKvk] })
          .expect(200);
        return res.text.includes('Polderwolk Hosting') || !res.text.includes('onbekend');
      },
    ],
    [
      'GET /open-data/hostingproviders.csv',
      async () => {
        const res = await request(ctx.app).get('/open-data/hostingproviders.csv').expect(200);
        assert.ok(res.text.includes(listed.kvkNumber));
        return res.text.includes(squatterKvk);
      },
    ],
    [
      'GET /open-data/hostingproviders.json',
      async () => {
        const res = await request(ctx.app).get('/open-data/hostingproviders.json').expect(200);
        return JSON.stringify(res.body).includes(squatterKvk);
      },
    ],
    [
      'GET /open-data/statuswijzigingen.atom (feed)',
      async () => {
        const res = await request(ctx.app)
          .get('/open-data/statuswijzigingen.atom')
          .buffer(true)
          .parse((r, done) => {
            let text = '';
            r.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            r.on('end', () => done(null, text));
          });
        assert.equal(res.status, 200);
        const text = res.body as string;
        assert.ok(text.includes(listed.kvkNumber), 'the listed provider is in the feed');
        return text.includes(squatterKvk);
      },
    ],
  ];

  describe('before a reviewer has confirmed its identity', () => {
    for (const [name, appears] of outputs) {
      it(`keeps it out of ${name}`, async () => {
        assert.equal(await appears(), false);
      });
    }

    it('shows staff the flag "identiteit niet geverifieerd" and a reviewer the confirm action', async () => {
      const res = await reviewer.get(`/beoordeling/hostingproviders/${squatterKvk}`).expect(200);
      assert.match(res.text, /data-identity-unconfirmed/);
      assert.match(res.text, /Identiteit niet geverifieerd/);
      assert.ok(res.text.includes(`/beoordeling/hostingproviders/${squatterKvk}/identiteit`));
      const queue = await reviewer.get('/beoordeling').expect(200);
      assert.ok(queue.text.includes(`data-unconfirmed="${squatterKvk}"`), 'the queue lists it for a look');
      assert.ok(!queue.text.includes(`data-unconfirmed="${listed.kvkNumber}"`));
    });

    it('tells the provider on /account that its organisation is not public yet', async () => {
      const squatterUser = await ctx.db.dataSource.query<{ email: string }[]>(
        `SELECT u.email FROM users u JOIN providers p ON p.id = u.provider_id WHERE p.kvk_number = $1`,
        [squatterKvk],
      );
      const agent = await signedIn(ctx.app, {
        email: must(squatterUser[0], 'the squatter registered').email,
        password: registrationFields().password,
      } as never);
      const res = await agent.get('/account').expect(200);
      assert.match(res.text, /nog niet openbaar/);
    });
  });

  describe('POST /beoordeling/hostingproviders/:kvkNumber/identiteit', () => {
    it('refuses a reviewer of the organisation itself', async () => {
      const squatter = await ctx.db.dataSource
        .getRepository(Provider)
        .findOneByOrFail({ kvkNumber: squatterKvk });
      const own = await signedIn(
        ctx.app,
        await givenUser(ctx.db.dataSource, 'reviewer', { providerId: squatter.id }),
      );
      const page = await own.get(`/beoordeling/hostingproviders/${squatterKvk}`).expect(200);
      assert.ok(!page.text.includes(`/beoordeling/hostingproviders/${squatterKvk}/identiteit`));
      const res = await submitForm(
        own,
        `/beoordeling/hostingproviders/${listed.kvkNumber}`,
        `/beoordeling/hostingproviders/${squatterKvk}/identiteit`,
        {},
      );
      assert.equal(res.status, 403);
    });

    it('refuses a confirmation without a KvK extract, with a message on the page', async () => {
      const res = await submitForm(
        reviewer,
        `/beoordeling/hostingproviders/${squatterKvk}`,
        `/beoordeling/hostingproviders/${squatterKvk}/identiteit`,
        {},
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /kies een uittreksel uit het Handelsregister/);
      assert.match(res.text, /data-identity-unconfirmed/);
    });

    it('confirms it with the KvK extract and an audit event, after which it appears in every public output', async () => {
      const token = await tokenFor(reviewer, `/beoordeling/hostingproviders/${squatterKvk}`);
      const extract = simplePdf(`Uittreksel Handelsregister ${squatterKvk}`);
      const res = await reviewer
        .post(`/beoordeling/hostingproviders/${squatterKvk}/identiteit`)
        .field('_csrf', token)
        .attach('extract', extract, { filename: 'uittreksel.pdf', contentType: 'application/pdf' });
      assert.equal(res.status, 303);
      const [event] = await ctx.db.dataSource.query<{ actor: string; data: Record<string, unknown> }[]>(
        `SELECT e.actor, e.data FROM audit_events e JOIN providers p ON p.id::text = e.subject_id
          WHERE e.action = 'provider.identity_confirmed' AND p.kvk_number = $1`,
        [squatterKvk],
      );
      assert.ok(event, 'the confirmation is in the audit log');
      assert.match(event.actor, /^reviewer:[0-9a-f-]{36}$/);
      assert.equal(event.data.how, 'kvk_extract');
      assert.equal(event.data.extractSha256, createHash('sha256').update(extract).digest('hex'));
      // The page shows how, and the extract, which staff download (and the download is audited).
      const page = await reviewer.get(`/beoordeling/hostingproviders/${squatterKvk}`).expect(200);
      assert.match(page.text, /Identiteit bevestigd met een uittreksel uit het Handelsregister/);
      const link = /href="(\/beoordeling\/uittreksels\/[0-9a-f-]{36})"/.exec(page.text)?.[1];
      assert.ok(link, 'the extract is listed');
      const download = await reviewer.get(link).buffer(true).expect(200);
      assert.equal(download.headers['content-type'], 'application/pdf');
      assert.ok(Buffer.from(download.body as Buffer).equals(extract));
      assert.equal((await request(ctx.app).get(link)).status, 303, 'not for anonymous visitors');
      // The change feeds show a provider's changes from its confirmation on (the submission before
      // it would surface behind cursors already handed out): its next change is there.
      assert.equal(
        await must(
          outputs.find(([name]) => name.includes('feed')),
          'the feed',
        )[1](),
        false,
      );
      const squatter = await ctx.db.dataSource
        .getRepository(Provider)
        .findOneByOrFail({ kvkNumber: squatterKvk });
      await givenStatusEvent(ctx.db.dataSource, {
        providerId: squatter.id,
        kind: 'application_withdrawn',
        effectiveAt: new Date(),
      });
      for (const [name, appears] of outputs) {
        assert.equal(await appears(), true, name);
      }
    });

    it('answers 409 to a second confirmation', async () => {
      const res = await submitForm(
        reviewer,
        `/beoordeling/hostingproviders/${squatterKvk}`,
        `/beoordeling/hostingproviders/${squatterKvk}/identiteit`,
        {},
      );
      assert.equal(res.status, 409);
    });
  });
});

describe('migration IdentityConfirmationAndInvitations: existing providers', () => {
  it('counts a provider as confirmed at its first decision, and one without a decision as unconfirmed', async () => {
    const db = await createTestDatabase();
    // Migrations are the owner's work: the app's own role may not change the schema.
    const owner = createRegisterDataSource({ url: db.ownerUrl, poolSize: 2 });
    await owner.initialize();
    try {
      // Back to the schema before that migration: undo it and every one after it.
      const applied = async () =>
        (await owner.query<{ name: string }[]>('SELECT name FROM migrations')).map((m) => m.name);
      while ((await applied()).some((name) => name.startsWith('IdentityConfirmationAndInvitations')))
        await owner.undoLastMigration({ transaction: 'each' });
      // The schema of then: the entities of now may name columns it does not have yet.
      const version = must(
        (
          await owner.query<{ id: string }[]>(
            `INSERT INTO code_of_conduct_versions (label, title, published_at, transition_ends_at)
             VALUES ('1.0', 'Gedragscode 1.0', '2020-01-01', '2020-01-01') RETURNING id`,
          )
        )[0],
        'INSERT … RETURNING gives the new row',
      );
      const insert = async (kvk: string) =>
        must(
          (
            await owner.query<{ id: string }[]>(
              `INSERT INTO providers (kvk_number, legal_name, street_address, postcode, city, abuse_email)
               VALUES ($1, $2, 'Straat 1', '1234 AB', 'Stad', 'abuse@x.example') RETURNING id`,
              [kvk, `Bestaand ${kvk} B.V.`],
            )
          )[0],
          'INSERT … RETURNING gives the new row',
        ).id;
      const event = (providerId: string, kind: string, recordedAt: string, actor: string, reason?: string) =>
        owner.query(
          `INSERT INTO status_events (provider_id, kind, effective_at, recorded_at, actor, reason, valid_until,
                                      code_of_conduct_version_id, code_signed_on, aan_since)
           VALUES ($1, $2, $3, $3, $4, $5, CASE WHEN $2 = 'listing_approved' THEN $3::timestamptz + interval '1 year' END,
                   CASE WHEN $2 = 'listing_approved' THEN $6::uuid END,
                   CASE WHEN $2 = 'listing_approved' THEN date '2020-01-01' END,
                   CASE WHEN $2 = 'listing_approved' THEN timestamptz '2020-01-01' END)`,
          [providerId, kind, recordedAt, actor, reason ?? null, version.id],
        );
      const approved = await insert('70000001');
      await event(approved, 'application_submitted', '2025-01-01T10:00:00Z', 'a@x.example');
      await event(approved, 'listing_approved', '2025-02-01T10:00:00Z', 'first@reviewer.example');
      await event(approved, 'listing_approved', '2026-02-01T10:00:00Z', 'second@reviewer.example');
      const rejected = await insert('70000002');
      await event(rejected, 'application_rejected', '2025-03-01T10:00:00Z', 'r@reviewer.example', 'Nee.');
      const pending = await insert('70000003');
      await event(pending, 'application_submitted', '2025-04-01T10:00:00Z', 'p@x.example');

      await runMigrations(owner, createLogger('silent'));
      const rows = await owner.query<
        { kvk_number: string; identity_confirmed_at: Date | null; identity_confirmed_by: string | null }[]
      >(`SELECT kvk_number, identity_confirmed_at, identity_confirmed_by FROM providers ORDER BY kvk_number`);
      assert.deepEqual(
        rows.map((r) => [
          r.kvk_number,
          r.identity_confirmed_at?.toISOString() ?? null,
          r.identity_confirmed_by,
        ]),
        [
          ['70000001', '2025-02-01T10:00:00.000Z', 'first@reviewer.example'],
          ['70000002', '2025-03-01T10:00:00.000Z', 'r@reviewer.example'],
          ['70000003', null, null],
        ],
      );
    } finally {
      await owner.destroy();
      await db.drop();
    }
  });
});

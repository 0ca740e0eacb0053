import assert from 'node:assert/strict';
import request from 'supertest';
import { User } from '../../src/identity/user.entity';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { confirmationLinkTo, lastMailTo } from '../helpers/outbox';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm } from '../helpers/session';
import { givenUser, TEST_PASSWORD } from '../factories/user.factory';
import { uniqueKvk } from '../factories/provider.factory';
import type { Express } from 'express';

/** Registers a buyer through the form; answers the agent and the answer. */
async function registerBuyer(app: Express, email: string, name = 'Ina Inkoper') {
  const agent = request.agent(app);
  const res = await submitForm(agent, '/inkopers/registreren', '/inkopers/registreren', {
    name,
    email,
    password: TEST_PASSWORD,
    passwordConfirmation: TEST_PASSWORD,
  });
  return { agent, res };
}

describe('buyer accounts (inkopers)', () => {
  let db: TestDatabase;
  let app: Express;

  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  const users = () => db.dataSource.getRepository(User);
  const organisationOf = async (email: string) => {
    const [row] = await db.dataSource.query<{ domain: string; name: string }[]>(
      `SELECT o.domain, o.name FROM users u JOIN buyer_organisations o ON o.id = u.buyer_organisation_id WHERE u.email = $1`,
      [email],
    );
    return row;
  };

  describe('GET /inkopers/registreren', () => {
    it('says which domains are allowed, and is linked from the login page and the check pages', async () => {
      const page = await request(app).get('/inkopers/registreren');
      assert.equal(page.status, 200);
      assert.match(page.text, /data-allowed-domains[^>]*>[^<]*rijksoverheid\.nl, \*\.overheid\.nl/);
      for (const path of ['/inloggen', '/controleren', '/controleren/lijst'])
        assert.match((await request(app).get(path)).text, /href="\/inkopers\/registreren"/, path);
    });
  });

  describe('POST /inkopers/registreren', () => {
    it('makes nothing until the address is confirmed, then the buyer in the organisation of its domain', async () => {
      const domain = `dienst${uniqueKvk()}.overheid.nl`;
      const email = `Ina.${uniqueKvk()}@${domain.toUpperCase()}`;
      const { agent, res } = await registerBuyer(app, email);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/e-mailadres-bevestigen');
      assert.equal(await users().countBy({ email: email.toLowerCase() }), 0);
      const token = await db.dataSource.query<{ role: string }[]>(
        `SELECT role FROM account_tokens WHERE purpose = 'registration' AND email = $1`,
        [email.toLowerCase()],
      );
      assert.deepEqual(token, [{ role: 'buyer' }]);

      const link = await confirmationLinkTo(db.dataSource, email);
      const confirmed = await submitForm(agent, link, link, {});
      assert.equal(confirmed.status, 200);
      assert.match(confirmed.text, /data-buyer-registered/);
      const user = await users().findOneByOrFail({ email: email.toLowerCase() });
      assert.equal(user.role, 'buyer');
      assert.ok(user.emailVerifiedAt);
      assert.deepEqual(await organisationOf(user.email), { domain, name: domain });
      const audit = await db.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_events WHERE actor = $1 ORDER BY id`,
        [`buyer:${user.id}`],
      );
      assert.deepEqual(
        audit.map((a) => a.action),
        ['user.created', 'buyer_organisation.created', 'user.email_confirmed'],
      );

      // A colleague of the same domain joins the same organisation; nothing new is made for it.
      const colleague = `collega.${uniqueKvk()}@${domain}`;
      const second = await registerBuyer(app, colleague, 'Cor Collega');
      const secondLink = await confirmationLinkTo(db.dataSource, colleague);
      assert.equal((await submitForm(second.agent, secondLink, secondLink, {})).status, 200);
      const colleagueUser = await users().findOneByOrFail({ email: colleague });
      assert.equal(colleagueUser.buyerOrganisationId, user.buyerOrganisationId);
      // A subdomain is an organisation of its own: grouping is by the exact domain.
      const sub = `iemand.${uniqueKvk()}@afdeling.${domain}`;
      const third = await registerBuyer(app, sub);
      const thirdLink = await confirmationLinkTo(db.dataSource, sub);
      await submitForm(third.agent, thirdLink, thirdLink, {});
      assert.equal((await organisationOf(sub))?.domain, `afdeling.${domain}`);
    });

    for (const email of ['iemand@gmail.com', 'iemand@overheid.nl.evil.com', 'iemand@evil-overheid.nl'])
      it(`refuses ${email} with the allowed domains, keeping what was typed`, async () => {
        const { res } = await registerBuyer(app, email, 'Eva Elders');
        assert.equal(res.status, 400);
        assert.match(
          res.text,
          /alleen adressen van deze domeinen mogen: rijksoverheid\.nl, \*\.overheid\.nl/,
        );
        assert.match(res.text, /value="Eva Elders"/);
        await assertValidHtml(res.text, 'buyer registration refused');
        assert.equal(await users().countBy({ email }), 0);
        const tokens = await db.dataSource.query<unknown[]>(`SELECT 1 FROM account_tokens WHERE email = $1`, [
          email,
        ]);
        assert.equal(tokens.length, 0);
      });

    it('answers the same for an address with an account, and only tells that address', async () => {
      const existing = await givenUser(db.dataSource, 'buyer');
      const { res } = await registerBuyer(app, existing.email);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/e-mailadres-bevestigen');
      const mail = await lastMailTo(db.dataSource, existing.email);
      assert.match(mail.subject, /Poging tot registratie/);
      assert.match(mail.body, /inkopersaccount/);
    });

    it('tells the address of a disabled account that it is disabled and whom to contact', async () => {
      const existing = await givenUser(db.dataSource, 'buyer');
      await users().update({ id: existing.user.id }, { disabledAt: new Date() });
      const { res } = await registerBuyer(app, existing.email);
      assert.equal(res.status, 303);
      const mail = await lastMailTo(db.dataSource, existing.email);
      assert.match(mail.body, /uitgeschakeld/);
      assert.match(mail.body, /register@register\.example/);
      assert.doesNotMatch(mail.body, /wachtwoord-vergeten|\/inloggen/);
    });

    it('does not count a refused domain against the registrations of the client address', async () => {
      // The earlier tests registered from this address too: the counter starts at nought here.
      await db.dataSource.query(`DELETE FROM rate_limits WHERE key LIKE 'registration_ip:%'`);
      const limited = testApp(db.dataSource, { config: { registrationsPerIpPerDay: 1 } }).app;
      for (let i = 0; i < 3; i++) {
        const { res } = await registerBuyer(limited, `iemand${i}.${uniqueKvk()}@gmail.com`);
        assert.equal(res.status, 400);
        assert.match(res.text, /alleen adressen van deze domeinen mogen/);
      }
      const { res } = await registerBuyer(limited, `ina.${uniqueKvk()}@minfin.nl`);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/e-mailadres-bevestigen');
    });

    it('refuses a password that breaks the policy, and a form without a name', async () => {
      const agent = request.agent(app);
      const res = await submitForm(agent, '/inkopers/registreren', '/inkopers/registreren', {
        name: '',
        email: `x.${uniqueKvk()}@minfin.nl`,
        password: 'kort',
        passwordConfirmation: 'kort',
      });
      assert.equal(res.status, 400);
      assert.match(res.text, /id="error-name"/);
    });
  });

  describe('login and the pages a buyer may reach', () => {
    let buyer: Awaited<ReturnType<typeof givenUser>>;
    let agent: Agent;
    before(async () => {
      buyer = await givenUser(db.dataSource, 'buyer');
      agent = await signedIn(app, buyer);
    });

    it('lands on the watch lists after login', async () => {
      const fresh = request.agent(app);
      const res = await submitForm(fresh, '/inloggen', '/inloggen', {
        email: buyer.email,
        password: buyer.password,
      });
      assert.equal(res.headers.location, '/inkoop');
      assert.equal((await fresh.get('/inkoop')).status, 200);
    });

    it('has an account page, a password change and a second factor, and no provider or staff pages', async () => {
      const account = await agent.get('/account');
      assert.equal(account.status, 200);
      assert.match(account.text, /href="\/inkoop"/);
      await assertValidHtml(account.text, "a buyer's account page");
      assert.equal((await agent.get('/account/wachtwoord')).status, 200);
      assert.equal((await agent.get('/account/tweestapsverificatie')).status, 200);
      for (const path of [
        '/beoordeling',
        '/beoordeling/hostingproviders',
        '/beheer/inkopers',
        '/beheer/medewerkers',
      ])
        assert.equal((await agent.get(path)).status, 403, path);
    });
  });

  describe('/beheer/inkopers', () => {
    it('lists organisations with their accounts, renames one, and disables an account (sessions end, mail sent)', async () => {
      const admin = await givenUser(db.dataSource, 'admin');
      const adminAgent = await signedIn(app, admin);
      const buyer = await givenUser(db.dataSource, 'buyer', { name: 'Bea Blokkade' });
      const buyerAgent = await signedIn(app, buyer);
      assert.equal((await buyerAgent.get('/inkoop')).status, 200);

      const page = await adminAgent.get('/beheer/inkopers');
      assert.equal(page.status, 200);
      assert.match(page.text, new RegExp(`data-buyer="${buyer.email}" data-disabled="no"`));
      await assertValidHtml(page.text, 'buyers for administrators');

      const organisationId = buyer.user.buyerOrganisationId!;
      const renamed = await submitForm(
        adminAgent,
        '/beheer/inkopers',
        `/beheer/inkopers/organisaties/${organisationId}/naam`,
        {
          buyerOrganisationName: 'Ministerie van Proeven',
        },
      );
      assert.equal(renamed.status, 303);
      assert.match((await adminAgent.get('/beheer/inkopers')).text, /Ministerie van Proeven/);
      const empty = await submitForm(
        adminAgent,
        '/beheer/inkopers',
        `/beheer/inkopers/organisaties/${organisationId}/naam`,
        {
          buyerOrganisationName: ' ',
        },
      );
      assert.equal(empty.status, 400);

      const disabled = await submitForm(
        adminAgent,
        '/beheer/inkopers',
        `/beheer/inkopers/${buyer.user.id}/status`,
        {
          action: 'disable',
        },
      );
      assert.equal(disabled.status, 303);
      assert.ok((await users().findOneByOrFail({ id: buyer.user.id })).disabledAt);
      // The buyer's session is gone: the next request goes to the login page.
      const after = await buyerAgent.get('/inkoop');
      assert.equal(after.status, 303);
      assert.match(after.headers.location ?? '', /^\/inloggen/);
      assert.match((await lastMailTo(db.dataSource, buyer.email)).subject, /uitgeschakeld/);
      const [event] = await db.dataSource.query<{ action: string; actor: string }[]>(
        `SELECT action, actor FROM audit_events WHERE subject_id = $1 ORDER BY id DESC LIMIT 1`,
        [buyer.user.id],
      );
      assert.deepEqual(event, { action: 'buyer.disabled', actor: `admin:${admin.user.id}` });
      const login = await submitForm(request.agent(app), '/inloggen', '/inloggen', {
        email: buyer.email,
        password: buyer.password,
      });
      assert.equal(login.status, 400);

      await submitForm(adminAgent, '/beheer/inkopers', `/beheer/inkopers/${buyer.user.id}/status`, {
        action: 'enable',
      });
      assert.equal((await users().findOneByOrFail({ id: buyer.user.id })).disabledAt, null);
      assert.match((await lastMailTo(db.dataSource, buyer.email)).subject, /weer ingeschakeld/);
    });

    it('refuses an action other than enable or disable with 400 and changes nothing', async () => {
      const adminAgent = await signedIn(app, await givenUser(db.dataSource, 'admin'));
      const buyer = await givenUser(db.dataSource, 'buyer');
      for (const action of ['', 'Disable', 'verwijderen']) {
        const res = await submitForm(
          adminAgent,
          '/beheer/inkopers',
          `/beheer/inkopers/${buyer.user.id}/status`,
          {
            action,
          },
        );
        assert.equal(res.status, 400, action);
        assert.match(res.text, /Kies uitschakelen of weer inschakelen/);
      }
      assert.equal((await users().findOneByOrFail({ id: buyer.user.id })).disabledAt, null);
    });

    it('answers 404 for an account that is no buyer, or an id that is no id', async () => {
      const admin = await givenUser(db.dataSource, 'admin');
      const adminAgent = await signedIn(app, admin);
      const reviewer = await givenUser(db.dataSource, 'reviewer');
      // An id of no organisation is not found either (and nothing is audited).
      const missing = await submitForm(
        adminAgent,
        '/beheer/inkopers',
        '/beheer/inkopers/organisaties/00000000-0000-4000-8000-000000000000/naam',
        { buyerOrganisationName: 'Niemand' },
      );
      assert.equal(missing.status, 404);
      for (const id of [reviewer.user.id, 'geen-id'])
        assert.equal(
          (
            await submitForm(adminAgent, '/beheer/inkopers', `/beheer/inkopers/${id}/status`, {
              action: 'disable',
            })
          ).status,
          404,
        );
    });
  });
});

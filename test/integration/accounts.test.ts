import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { currentTotp } from '../../src/identity/totp';
import { User } from '../../src/identity/user.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { csrfFrom, signedIn, submitForm, tokenFor } from '../helpers/session';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, registrationFields, TEST_PASSWORD } from '../factories/user.factory';
import { must } from '../../src/shared/must';

function cookieOf(res: request.Response, name: string): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${name}=`));
}

async function lastMailTo(db: TestDatabase, recipient: string): Promise<OutboxMail> {
  const [mail] = await db.dataSource
    .getRepository(OutboxMail)
    .find({ where: { recipient }, order: { id: 'DESC' }, take: 1 });
  assert.ok(mail, `a mail to ${recipient}`);
  return mail;
}

function linkIn(mail: OutboxMail): string {
  const link = /http:\/\/register\.test(\/[^\s]+)/.exec(mail.body)?.[1];
  assert.ok(link, 'the mail holds a link');
  return link;
}

describe('accounts and access', () => {
  let db: TestDatabase;
  let app: Express;
  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  describe('registration', () => {
    it('is valid HTML, and re-shows the form with every error and what was typed (never the password)', async () => {
      const agent = request.agent(app);
      const page = await agent.get('/registreren').expect(200);
      await assertValidHtml(page.text, 'registration form');
      const fields = registrationFields({
        kvkNumber: '1234',
        vatNumber: 'NL123456789B01',
        postcode: '0123 AB',
        password: 'kort',
        website: 'geen url',
      });
      const res = await agent
        .post('/registreren')
        .type('form')
        .send({ ...fields, _csrf: csrfFrom(page.text) });
      assert.equal(res.status, 400);
      for (const message of [
        'een KvK-nummer bestaat uit 8 cijfers',
        'dit is geen geldig btw-id',
        'vul een postcode in zoals 1234 AB',
        'vul een volledig webadres in',
      ]) {
        assert.ok(res.text.includes(message), message);
      }
      assert.ok(res.text.includes(`value="${fields.legalName}"`), 'the legal name stays in the form');
      assert.doesNotMatch(res.text, /value="kort"/);
      await assertValidHtml(res.text, 'registration form with errors');
      assert.equal(await db.dataSource.getRepository(Provider).countBy({ legalName: fields.legalName }), 0);
    });

    for (const [password, message] of [
      ['elf tekens!', 'een wachtwoord heeft minstens 12 tekens'],
      ['password1234', 'dit wachtwoord wordt te vaak gebruikt'],
      ['qwertyuiop123', 'dit wachtwoord wordt te vaak gebruikt'],
    ] as const) {
      it(`refuses the password "${password}"`, async () => {
        const agent = request.agent(app);
        const res = await submitForm(
          agent,
          '/registreren',
          '/registreren',
          registrationFields({ password, passwordConfirmation: password }),
        );
        assert.equal(res.status, 400);
        assert.ok(res.text.includes(message), message);
      });
    }

    it('refuses a KvK number that is already registered', async () => {
      const provider = await givenProvider(db.dataSource);
      const res = await submitForm(
        request.agent(app),
        '/registreren',
        '/registreren',
        registrationFields({ kvkNumber: provider.kvkNumber }),
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /dit KvK-nummer is al geregistreerd/);
    });

    it('signs nobody in and makes nothing yet: "check your mail", no session, no account until the address is confirmed', async () => {
      const fields = registrationFields();
      const agent = request.agent(app);
      const res = await submitForm(agent, '/registreren', '/registreren', fields);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/e-mailadres-bevestigen');
      assert.equal(cookieOf(res, 'vhp.sid'), undefined, 'no session cookie');
      await agent.get('/account').expect(303).expect('Location', '/inloggen?terug=%2Faccount');
      assert.equal(await db.dataSource.getRepository(User).countBy({ email: fields.email }), 0);
      const page = await agent.get('/e-mailadres-bevestigen').expect(200);
      assert.match(page.text, /Als dit e-mailadres kan worden gebruikt, is er een e-mail onderweg/);
      await assertValidHtml(page.text, 'check your mail');
    });
  });

  describe('login', () => {
    it('answers one generic message for an unknown address and for a wrong password', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      const unknown = await submitForm(request.agent(app), '/inloggen', '/inloggen', {
        email: 'niemand@test.example',
        password: TEST_PASSWORD,
      });
      const wrong = await submitForm(request.agent(app), '/inloggen', '/inloggen', {
        email: who.email,
        password: 'fout wachtwoord 123',
      });
      for (const res of [unknown, wrong]) {
        assert.equal(res.status, 400);
        assert.match(res.text, /De combinatie van e-mailadres en wachtwoord is onjuist\./);
      }
      assert.match(wrong.text, new RegExp(`value="${who.email}"`), 'the address stays in the form');
    });

    it('gives a new session id on login, with HttpOnly and SameSite cookies that expire after 30 idle minutes', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      const agent = request.agent(app);
      const page = await agent.get('/inloggen');
      const before = cookieOf(page, 'vhp.sid');
      const res = await agent
        .post('/inloggen')
        .type('form')
        .send({ email: who.email, password: who.password, _csrf: csrfFrom(page.text) });
      const after = cookieOf(res, 'vhp.sid');
      assert.ok(after, 'a session cookie is set');
      assert.notEqual(after.split(';')[0], before?.split(';')[0]);
      assert.match(after, /HttpOnly/);
      assert.match(after, /SameSite=Lax/);
      const expires = new Date(must(/Expires=([^;]+)/.exec(after)?.[1], 'the cookie expires')).getTime();
      assert.ok(Math.abs(expires - Date.now() - 30 * 60 * 1000) < 60_000, 'expires in 30 minutes');
      await agent.get('/account').expect(200);
    });

    it('keeps a session started on one app instance valid on another (sessions live in PostgreSQL)', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      const agent = await signedIn(app, who);
      const cookie = (await agent.get('/account').expect(200)).request.cookies;
      const other = testApp(db.dataSource).app;
      const res = await request(other).get('/account').set('Cookie', cookie).expect(200);
      assert.ok(res.text.includes(who.user.name));
    });

    it('ends the session on logout', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      const agent = await signedIn(app, who);
      const account = await agent.get('/account').expect(200);
      await agent
        .post('/uitloggen')
        .type('form')
        .send({ _csrf: csrfFrom(account.text) })
        .expect(303);
      await agent.get('/account').expect(303).expect('Location', '/inloggen?terug=%2Faccount');
    });

    it('answers 429 with Retry-After after 5 failed attempts on one account', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      for (let i = 0; i < 5; i++) {
        const res = await submitForm(request.agent(app), '/inloggen', '/inloggen', {
          email: who.email,
          password: `fout ${i} wachtwoord`,
        });
        assert.equal(res.status, 400);
      }
      const blocked = await submitForm(request.agent(app), '/inloggen', '/inloggen', {
        email: who.email,
        password: who.password,
      });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      assert.match(blocked.text, /Te veel pogingen/);
    });

    it('answers 429 with Retry-After after too many attempts from one address, on every instance', async () => {
      // Two app instances on one database share the limit: it lives in PostgreSQL.
      const first = testApp(db.dataSource, { config: { loginAttemptsPerIp: 3 } }).app;
      const second = testApp(db.dataSource, { config: { loginAttemptsPerIp: 3 } }).app;
      await db.dataSource.query(`DELETE FROM rate_limits WHERE key LIKE 'login_ip:%'`);
      for (const instance of [first, second, first]) {
        const res = await submitForm(request.agent(instance), '/inloggen', '/inloggen', {
          email: 'x@test.example',
          password: 'wat dan ook 123',
        });
        assert.equal(res.status, 400);
      }
      const blocked = await submitForm(request.agent(second), '/inloggen', '/inloggen', {
        email: 'x@test.example',
        password: 'wat dan ook 123',
      });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
      await db.dataSource.query(`DELETE FROM rate_limits WHERE key LIKE 'login_ip:%'`);
    });

    it('refuses a form without its CSRF token, and one with a token of another session', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      const none = await request
        .agent(app)
        .post('/inloggen')
        .type('form')
        .send({ email: who.email, password: who.password });
      assert.equal(none.status, 403);
      assert.match(none.text, /Het formulier is verlopen/);
      const foreign = await tokenFor(request.agent(app), '/inloggen');
      const other = request.agent(app);
      await other.get('/inloggen');
      const res = await other
        .post('/inloggen')
        .type('form')
        .send({ email: who.email, password: who.password, _csrf: foreign });
      assert.equal(res.status, 403);
    });
  });

  describe('password reset', () => {
    it('sends a single-use link that sets a new password and ends other sessions', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      const other = await signedIn(app, who);
      const res = await submitForm(request.agent(app), '/wachtwoord-vergeten', '/wachtwoord-vergeten', {
        email: who.email,
      });
      assert.equal(res.status, 200);
      assert.match(res.text, /Als er een account bij dit e-mailadres hoort/);
      const link = linkIn(await lastMailTo(db, who.email));

      const agent = request.agent(app);
      const newPassword = 'een heel nieuw wachtwoord 7';
      const done = await submitForm(agent, link, link, {
        password: newPassword,
        passwordConfirmation: newPassword,
      });
      assert.equal(done.status, 200);
      assert.match(done.text, /Uw wachtwoord is gewijzigd/);
      await other.get('/account').expect(303);

      const again = await agent.get(link).expect(200);
      assert.match(again.text, /Deze link is ongeldig, al gebruikt of verlopen/);
      await signedIn(app, { ...who, password: newPassword });
      const old = await submitForm(request.agent(app), '/inloggen', '/inloggen', {
        email: who.email,
        password: who.password,
      });
      assert.equal(old.status, 400);
    });

    it('says the same for an unknown address and sends nothing', async () => {
      const before = await db.dataSource.getRepository(OutboxMail).count();
      const res = await submitForm(request.agent(app), '/wachtwoord-vergeten', '/wachtwoord-vergeten', {
        email: 'onbekend@test.example',
      });
      assert.equal(res.status, 200);
      assert.match(res.text, /Als er een account bij dit e-mailadres hoort/);
      assert.equal(await db.dataSource.getRepository(OutboxMail).count(), before);
    });

    it('refuses an expired link', async () => {
      const who = await givenUser(db.dataSource, 'provider', {
        providerId: (await givenProvider(db.dataSource)).id,
      });
      await submitForm(request.agent(app), '/wachtwoord-vergeten', '/wachtwoord-vergeten', {
        email: who.email,
      });
      const link = linkIn(await lastMailTo(db, who.email));
      await db.dataSource.query(
        `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE email = $1`,
        [who.email],
      );
      const page = await request.agent(app).get(link).expect(200);
      assert.match(page.text, /Deze link is ongeldig, al gebruikt of verlopen/);
    });
  });

  describe('invitations', () => {
    it('a provider user invites a colleague, who joins the same organisation through the link once', async () => {
      const provider = await givenProvider(db.dataSource);
      const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
      const agent = await signedIn(app, who);
      const colleague = `collega-${provider.kvkNumber}@test.example`;
      const res = await submitForm(agent, '/account', '/account/collegas', { email: colleague });
      assert.equal(res.status, 200);
      const mail = await lastMailTo(db, colleague);
      assert.match(mail.body, /7 dagen geldig/);
      const link = linkIn(mail);

      const invited = request.agent(app);
      const joined = await submitForm(invited, link, link, {
        name: 'Col Lega',
        password: TEST_PASSWORD,
        passwordConfirmation: TEST_PASSWORD,
      });
      assert.equal(joined.status, 303);
      const user = await db.dataSource.getRepository(User).findOneByOrFail({ email: colleague });
      assert.equal(user.providerId, provider.id);
      assert.equal(user.role, 'provider');
      // Used: the same clear page, as 410 Gone.
      const reuse = await request.agent(app).get(link).expect(410);
      assert.match(reuse.text, /Deze link is ongeldig/);
    });
  });

  describe('second factor', () => {
    it('sends staff without a second factor to set one up before any staff page, then lets them through', async () => {
      const staff = await givenUser(db.dataSource, 'reviewer', { totp: false });
      const agent = await signedIn(app, staff);
      await agent.get('/beoordeling').expect(303).expect('Location', '/account/tweestapsverificatie');
      const setup = await agent.get('/account/tweestapsverificatie').expect(200);
      await assertValidHtml(setup.text, 'second factor set-up');
      assert.match(setup.text, /src="data:image\/svg\+xml;base64,/);
      const secret = must(/data-secret="([A-Z2-7]+)"/.exec(setup.text)?.[1], 'the page shows the seed');

      const wrong = await agent
        .post('/account/tweestapsverificatie')
        .type('form')
        .send({ _csrf: csrfFrom(setup.text), code: '000000' });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /deze code klopt niet/);

      const ok = await agent
        .post('/account/tweestapsverificatie')
        .type('form')
        .send({ _csrf: csrfFrom(setup.text), code: currentTotp(secret, staff.email, new Date()) });
      assert.equal(ok.status, 303);
      const codesPage = await agent.get('/account/tweestapsverificatie').expect(200);
      const codes = [...codesPage.text.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) =>
        must(m[1], 'the pattern has a group'),
      );
      assert.equal(codes.length, 10);
      await agent.get('/beoordeling').expect(200);

      // Next login asks for the code; a recovery code works once.
      const next = request.agent(app);
      const login = await submitForm(next, '/inloggen', '/inloggen', {
        email: staff.email,
        password: staff.password,
      });
      assert.equal(login.headers.location, '/inloggen/tweestaps');
      const recovered = await submitForm(next, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: must(codes[0], 'ten codes'),
      });
      assert.equal(recovered.status, 303);
      await next.get('/beoordeling').expect(200);
      const third = request.agent(app);
      await submitForm(third, '/inloggen', '/inloggen', { email: staff.email, password: staff.password });
      const reused = await submitForm(third, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: must(codes[0], 'ten codes'),
      });
      assert.equal(reused.status, 400);
    });

    it('can be relaxed for a local demo by configuration', async () => {
      const relaxed = testApp(db.dataSource, { config: { staffSecondFactorRequired: false } }).app;
      const staff = await givenUser(db.dataSource, 'auditor', { totp: false });
      const agent = await signedIn(relaxed, staff);
      await agent.get('/beoordeling').expect(200);
    });
  });

  describe('the outbox', () => {
    it('is readable by administrators and lists the mail the register sent', async () => {
      const admin = await givenUser(db.dataSource, 'admin');
      const agent = await signedIn(app, admin);
      const page = await agent.get('/beheer/uitgaande-mail').expect(200);
      await assertValidHtml(page.text, 'outbox');
    });
  });
});

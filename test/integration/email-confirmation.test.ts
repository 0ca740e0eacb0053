import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { passwordHashesStarted } from '../../src/identity/password';
import { pruneRegistrations } from '../../src/jobs/daily-jobs';
import { User } from '../../src/identity/user.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, registrationFields, TEST_PASSWORD } from '../factories/user.factory';
import { testApp, useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { confirmationLinkTo, lastMailTo } from '../helpers/outbox';
import { registeredAndSignedIn, signedIn, submitForm } from '../helpers/session';

/** Issue 17 §2: every new password account first confirms its e-mail address; until then it can do nothing. */
describe('e-mail confirmation of password accounts', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  const userOf = (email: string) => ds().getRepository(User).findOneByOrFail({ email });
  const usersWith = (email: string) => ds().getRepository(User).countBy({ email });
  const providersWith = (kvkNumber: string) => ds().getRepository(Provider).countBy({ kvkNumber });
  const pendingOf = (email: string) =>
    ds().query<{ payload: string | null; used_at: Date | null }[]>(
      `SELECT payload, used_at FROM account_tokens WHERE purpose = 'registration' AND email = $1 ORDER BY created_at`,
      [email],
    );
  /** An account whose address is not confirmed (none are made any more; older ones may exist). */
  const unconfirmedAccount = async () => {
    const provider = await givenProvider(ds());
    const who = await givenUser(ds(), 'provider', { providerId: provider.id });
    await ds().query('UPDATE users SET email_verified_at = NULL WHERE id = $1', [who.user.id]);
    return who;
  };
  const mailsTo = (email: string) => ds().getRepository(OutboxMail).countBy({ recipient: email });
  const confirmationLinks = async (email: string) =>
    Number(
      (
        await ds().query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM account_tokens WHERE purpose = 'email_confirmation' AND email = $1`,
          [email],
        )
      )[0]?.n,
    );
  const login = (app: Express, email: string, password: string) =>
    submitForm(request.agent(app), '/inloggen', '/inloggen', { email, password });
  const register = (fields = registrationFields()) =>
    submitForm(request.agent(context.app), '/registreren', '/registreren', fields).then((res) => ({
      res,
      fields,
    }));

  describe('the link', () => {
    it('GET shows a button and confirms nothing (mail scanners open links); POST confirms, audited, and login works', async () => {
      const { fields } = await register();
      const link = await confirmationLinkTo(ds(), fields.email);
      const agent = request.agent(context.app);
      const page = await agent.get(link).expect(200);
      assert.ok(page.text.includes(`Bevestig dat ${fields.email} uw e-mailadres is.`));
      await assertValidHtml(page.text, 'confirmation page');
      await agent.head(link).expect(200);
      assert.equal(await usersWith(fields.email), 0, 'a GET or HEAD makes nothing');
      assert.equal(await providersWith(fields.kvkNumber), 0);

      const confirmed = await submitForm(agent, link, link, {});
      assert.equal(confirmed.status, 200);
      assert.ok(
        confirmed.text.includes(
          `Uw e-mailadres is bevestigd en ${fields.legalName} (KvK ${fields.kvkNumber}) is geregistreerd. U kunt nu inloggen.`,
        ),
      );
      await assertValidHtml(confirmed.text, 'confirmed');
      const user = await userOf(fields.email);
      assert.ok(user.emailVerifiedAt, 'the address is confirmed');
      const provider = await ds().getRepository(Provider).findOneByOrFail({ kvkNumber: fields.kvkNumber });
      assert.equal(user.providerId, provider.id);
      const receipt = await lastMailTo(ds(), fields.email);
      assert.ok(
        receipt.subject.startsWith(`Registratie van ${fields.legalName} ontvangen`),
        'the receipt follows',
      );
      assert.deepEqual(
        (await pendingOf(fields.email)).map((row) => row.payload),
        [null],
        'the pending registration keeps nothing once used',
      );
      const [event] = await ds().query<{ data: { way: string } }[]>(
        `SELECT data FROM audit_events WHERE action = 'user.email_confirmed' AND subject_id = $1`,
        [user.id],
      );
      assert.equal(event?.data.way, 'link');

      const signIn = await login(context.app, fields.email, fields.password);
      assert.equal(signIn.status, 303);
      assert.equal(signIn.headers.location, '/account');
    });

    it('answers a used link with 410 and an unknown one with 404, each with the way to a new link', async () => {
      const { fields } = await register();
      const link = await confirmationLinkTo(ds(), fields.email);
      const agent = request.agent(context.app);
      assert.equal((await submitForm(agent, link, link, {})).status, 200);
      for (const [path, status] of [
        [link, 410],
        ['/e-mailadres-bevestigen/bestaat-niet', 404],
      ] as const) {
        const res = await request(context.app).get(path).expect(status);
        assert.match(res.text, /Deze link is ongeldig, al gebruikt of verlopen\./);
        assert.match(
          res.text,
          /log in met uw e-mailadres en wachtwoord, dan stuurt het register u een nieuwe link/,
        );
        assert.doesNotMatch(res.text, /<form method="post" novalidate class="register-form">/);
        await assertValidHtml(res.text, `dead link ${status}`);
      }
      const again = await submitForm(agent, '/inloggen', link, {});
      assert.equal(again.status, 410);
      const english = await request(context.app).get(`${link}?lang=en`).expect(410);
      assert.match(english.text, /This link is invalid, used already or expired\./);
    });

    it('refuses an expired link (24 hours) and leaves the address unconfirmed', async () => {
      const { fields } = await register();
      const link = await confirmationLinkTo(ds(), fields.email);
      await ds().query(
        `UPDATE account_tokens SET expires_at = now() - interval '1 second'
          WHERE purpose = 'registration' AND email = $1`,
        [fields.email],
      );
      await request(context.app).get(link).expect(410);
      assert.equal((await submitForm(request.agent(context.app), '/inloggen', link, {})).status, 410);
      assert.equal(await usersWith(fields.email), 0, 'nothing is made');
      assert.equal(await providersWith(fields.kvkNumber), 0);
    });

    it('is valid 24 hours', async () => {
      const { fields } = await register();
      const [token] = await ds().query<{ hours: number }[]>(
        `SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours FROM account_tokens
          WHERE purpose = 'registration' AND email = $1`,
        [fields.email],
      );
      assert.equal(Number(token?.hours), 24);
    });
  });

  describe('an account that exists unconfirmed (made before the fix round) can do nothing until then', () => {
    it('a login with the right password starts no session, mails a new link and shows the registration’s page', async () => {
      const who = await unconfirmedAccount();
      const fields = { email: who.email, password: who.password };
      const agent = request.agent(context.app);
      const res = await submitForm(agent, '/inloggen', '/inloggen', {
        email: fields.email,
        password: fields.password,
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/e-mailadres-bevestigen');
      await agent.get('/account').expect(303).expect('Location', '/inloggen?terug=%2Faccount');
      assert.equal(await confirmationLinks(fields.email), 1, 'a new link');
      const mail = await lastMailTo(ds(), fields.email);
      assert.equal(mail.subject, 'Bevestig uw e-mailadres / Confirm your e-mail address');
      // The new link works.
      const link = await confirmationLinkTo(ds(), fields.email);
      assert.equal((await submitForm(agent, link, link, {})).status, 200);
      const after = await login(context.app, fields.email, fields.password);
      assert.equal(after.headers.location, '/account');
    });

    it('a new link ends the older open ones: only the newest works', async () => {
      const who = await unconfirmedAccount();
      await login(context.app, who.email, who.password);
      const older = await confirmationLinkTo(ds(), who.email);
      await login(context.app, who.email, who.password);
      const newer = await confirmationLinkTo(ds(), who.email);
      assert.notEqual(older, newer);
      await request(context.app).get(older).expect(410);
      assert.equal((await submitForm(request.agent(context.app), newer, older, {})).status, 410);
      assert.equal((await userOf(who.email)).emailVerifiedAt, null);
      assert.equal((await submitForm(request.agent(context.app), newer, newer, {})).status, 200);
      assert.ok((await userOf(who.email)).emailVerifiedAt);
    });

    it('mails at most 3 links an hour, however often it logs in (the page is the same)', async () => {
      const who = await unconfirmedAccount();
      const fields = { email: who.email, password: who.password };
      for (let i = 0; i < 4; i++) {
        const res = await login(context.app, fields.email, fields.password);
        assert.equal(res.headers.location, '/e-mailadres-bevestigen');
      }
      assert.equal(await confirmationLinks(fields.email), 3);
    });

    it('a wrong password gets the one login message, as an unknown address does', async () => {
      const who = await unconfirmedAccount();
      const wrong = await login(context.app, who.email, 'helemaal niet het wachtwoord');
      const unknown = await login(context.app, `niemand-${who.user.id}@test.example`, TEST_PASSWORD);
      for (const res of [wrong, unknown]) {
        assert.equal(res.status, 400);
        assert.match(res.text, /De combinatie van e-mailadres en wachtwoord is onjuist\./);
      }
    });

    it('a session of an account whose address is unconfirmed ends on its next request (defence in depth)', async () => {
      const provider = await givenProvider(ds());
      const who = await givenUser(ds(), 'provider', { providerId: provider.id });
      const agent = await signedIn(context.app, who);
      await agent.get('/account').expect(200);
      await ds().query('UPDATE users SET email_verified_at = NULL WHERE id = $1', [who.user.id]);
      await agent.get('/account').expect(303).expect('Location', '/inloggen?terug=%2Faccount');
      await ds().query('UPDATE users SET email_verified_at = now() WHERE id = $1', [who.user.id]);
      await agent.get('/account').expect(303);
    });

    it('a password reset through its mailed link confirms the address (the link reached it)', async () => {
      const who = await unconfirmedAccount();
      const fields = { email: who.email };
      await login(context.app, who.email, who.password);
      await submitForm(request.agent(context.app), '/wachtwoord-vergeten', '/wachtwoord-vergeten', {
        email: fields.email,
      });
      const body = (await lastMailTo(ds(), fields.email)).body;
      const link = /http:\/\/register\.test(\/wachtwoord-herstellen\/[^\s]+)/.exec(body)?.[1];
      assert.ok(link);
      const password = 'een heel nieuw wachtwoord 77';
      const reset = await submitForm(request.agent(context.app), link, link, {
        password,
        passwordConfirmation: password,
      });
      assert.equal(reset.status, 200);
      const user = await userOf(fields.email);
      assert.ok(user.emailVerifiedAt);
      assert.equal((await login(context.app, fields.email, password)).headers.location, '/account');
      assert.equal(await confirmationLinks(fields.email), 1);
      const [unused] = await ds().query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM account_tokens WHERE purpose = 'email_confirmation' AND email = $1 AND used_at IS NULL`,
        [fields.email],
      );
      assert.equal(unused?.n, 0, 'the login’s link is used up');
    });

    it('accounts made by an administrator (user:create, the factories) are confirmed', async () => {
      const who = await givenUser(ds(), 'reviewer');
      assert.ok((await userOf(who.email)).emailVerifiedAt);
    });
  });

  describe('POST /registreren answers the same whatever the address', () => {
    it('an address with an account: nothing made, the same answer, and that address is told (log in or reset)', async () => {
      const provider = await givenProvider(ds());
      const existing = await givenUser(ds(), 'provider', { providerId: provider.id });
      const hashesBefore = passwordHashesStarted();
      const taken = await register(registrationFields({ email: existing.email }));
      const hashesTaken = passwordHashesStarted() - hashesBefore;
      const fresh = await register();
      assert.equal(passwordHashesStarted() - hashesBefore - hashesTaken, hashesTaken, 'hashed either way');
      for (const { res } of [taken, fresh]) {
        assert.equal(res.status, 303);
        assert.equal(res.headers.location, '/e-mailadres-bevestigen');
        assert.equal(res.text, fresh.res.text);
      }
      assert.equal(await providersWith(taken.fields.kvkNumber), 0);
      assert.equal(await providersWith(fresh.fields.kvkNumber), 0, 'nothing is made before the confirmation');
      assert.equal(await usersWith(fresh.fields.email), 0);
      assert.equal(
        (await pendingOf(existing.email)).length,
        0,
        'nothing is kept for an address with an account',
      );
      const mail = await lastMailTo(ds(), existing.email);
      assert.equal(
        mail.subject,
        'Poging tot registratie met uw e-mailadres / Attempt to register with your e-mail address',
      );
      assert.ok(mail.body.includes('http://register.test/inloggen'));
      assert.ok(mail.body.includes('http://register.test/wachtwoord-vergeten'));
      assert.doesNotMatch(mail.body, /e-mailadres-bevestigen/);
      // The account itself is untouched.
      assert.ok((await userOf(existing.email)).emailVerifiedAt);
      assert.equal((await login(context.app, existing.email, existing.password)).status, 303);
    });

    it('tells an address at most 3 times an hour', async () => {
      const provider = await givenProvider(ds());
      const existing = await givenUser(ds(), 'provider', { providerId: provider.id });
      for (let i = 0; i < 4; i++) {
        const { res } = await register(registrationFields({ email: existing.email.toUpperCase() }));
        assert.equal(res.headers.location, '/e-mailadres-bevestigen');
      }
      assert.equal(await mailsTo(existing.email), 3);
    });

    it('keeps the form sealed, and mails a link with nothing the form typed in it', async () => {
      const fields = registrationFields({ legalName: 'Uw account wordt geblokkeerd, bel 0900-1234 B.V.' });
      const { res } = await register(fields);
      assert.equal(res.status, 303);
      const [pending, ...more] = await pendingOf(fields.email);
      assert.equal(more.length, 0);
      const payload = pending?.payload ?? '';
      assert.ok(payload.startsWith('v1:'), 'sealed with the secrets key');
      for (const typed of [fields.legalName, fields.kvkNumber, fields.name, fields.streetAddress])
        assert.ok(!payload.includes(typed), 'nothing typed in clear');
      const mail = await lastMailTo(ds(), fields.email);
      assert.equal(
        mail.subject,
        'Bevestig uw e-mailadres om de registratie af te ronden / Confirm your e-mail address to complete the registration',
      );
      for (const typed of ['geblokkeerd', '0900', fields.kvkNumber, fields.name])
        assert.ok(!`${mail.subject}${mail.body}`.includes(typed), `the mail holds no typed text (${typed})`);
    });

    it('a newer registration with the same address ends the older one: only its link works', async () => {
      const email = `twee-keer-${registrationFields().kvkNumber}@journey.example`;
      const first = await register(registrationFields({ email }));
      const older = await confirmationLinkTo(ds(), email);
      const second = await register(registrationFields({ email }));
      const newer = await confirmationLinkTo(ds(), email);
      await request(context.app).get(older).expect(410);
      assert.equal((await submitForm(request.agent(context.app), newer, newer, {})).status, 200);
      assert.equal(await providersWith(first.fields.kvkNumber), 0);
      assert.equal(await providersWith(second.fields.kvkNumber), 1);
    });

    it('registering a number again from another address answers the same whether the first address had an account or not', async () => {
      const provider = await givenProvider(ds());
      const existing = await givenUser(ds(), 'provider', { providerId: provider.id });
      const answers = [];
      for (const firstEmail of [existing.email, `nieuw-${registrationFields().kvkNumber}@journey.example`]) {
        const first = await register(registrationFields({ email: firstEmail }));
        const again = await register(registrationFields({ kvkNumber: first.fields.kvkNumber }));
        answers.push([
          first.res.status,
          first.res.headers.location,
          again.res.status,
          again.res.headers.location,
        ]);
      }
      assert.deepEqual(answers[0], [303, '/e-mailadres-bevestigen', 303, '/e-mailadres-bevestigen']);
      assert.deepEqual(answers[1], answers[0]);
    });

    it('still refuses a KvK number that is registered, on the form', async () => {
      const provider = await givenProvider(ds());
      const { res } = await register(registrationFields({ kvkNumber: provider.kvkNumber }));
      assert.equal(res.status, 400);
      assert.match(res.text, /dit KvK-nummer is al geregistreerd/);
    });

    it('an account made and confirmed this way can act', async () => {
      const fields = registrationFields();
      const agent = await registeredAndSignedIn(context.app, ds(), fields);
      const account = await agent.get('/account').expect(200);
      assert.ok(account.text.includes(fields.legalName));
    });
  });

  describe('registered meanwhile: the first confirmed registration wins, the other makes nothing', () => {
    it('the same number: 409, the way forward (the claim), nothing made', async () => {
      const first = registrationFields();
      const second = registrationFields({ kvkNumber: first.kvkNumber, legalName: 'Tweede Claimer B.V.' });
      await register(first);
      const firstLink = await confirmationLinkTo(ds(), first.email);
      await register(second);
      const secondLink = await confirmationLinkTo(ds(), second.email);
      assert.equal((await submitForm(request.agent(context.app), firstLink, firstLink, {})).status, 200);
      const agent = request.agent(context.app);
      const late = await submitForm(agent, secondLink, secondLink, {});
      assert.equal(late.status, 409);
      assert.match(
        late.text,
        new RegExp(`KvK-nummer ${first.kvkNumber} is intussen door iemand anders geregistreerd`),
      );
      assert.ok(
        late.text.includes(`href="/registreren/claim?kvk=${first.kvkNumber}"`),
        'the claim form is offered',
      );
      await assertValidHtml(late.text, 'registered meanwhile');
      assert.equal(await usersWith(second.email), 0);
      const provider = await ds().getRepository(Provider).findOneByOrFail({ kvkNumber: first.kvkNumber });
      assert.equal(provider.legalName, first.legalName);
      assert.equal((await pendingOf(second.email))[0]?.payload, null, 'what it held is dropped');
      await request(context.app).get(`${secondLink}?lang=en`).expect(410);
    });

    it('the same address: 409 with the way to log in, nothing made', async () => {
      const fields = registrationFields();
      await register(fields);
      const link = await confirmationLinkTo(ds(), fields.email);
      const provider = await givenProvider(ds());
      const other = await givenUser(ds(), 'provider', { providerId: provider.id });
      await ds().query('UPDATE users SET email = $1 WHERE id = $2', [fields.email, other.user.id]);
      const late = await submitForm(request.agent(context.app), link, link, {});
      assert.equal(late.status, 409);
      assert.match(late.text, /Met dit e-mailadres is intussen al een account gemaakt/);
      assert.equal(await providersWith(fields.kvkNumber), 0);
    });
  });

  describe('pending registrations expire', () => {
    it('the daily work deletes those past their 24 hours, and keeps the live ones', async () => {
      const old = registrationFields();
      const live = registrationFields();
      await register(old);
      await register(live);
      await ds().query(
        `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'registration' AND email = $1`,
        [old.email],
      );
      const result = await ds().transaction((m) => pruneRegistrations(m, new Date()));
      assert.ok((result.registrationsPruned ?? 0) >= 1);
      assert.equal((await pendingOf(old.email)).length, 0);
      assert.equal((await pendingOf(live.email)).length, 1);
    });
  });

  describe('limits on registration (per address in 24 hours, per KvK number in an hour)', () => {
    beforeEach(() => ds().query(`DELETE FROM rate_limits WHERE key LIKE 'registration_%'`));

    it('per KvK number: 429 with Retry-After, the form kept with what was typed (never the password)', async () => {
      const limited = testApp(ds(), { config: { registrationsPerKvkPerHour: 2 } }).app;
      const first = registrationFields();
      const post = (fields: ReturnType<typeof registrationFields>) =>
        submitForm(request.agent(limited), '/registreren', '/registreren', fields);
      assert.equal((await post(first)).status, 303);
      assert.equal((await post(registrationFields({ kvkNumber: first.kvkNumber }))).status, 303);
      const typed = registrationFields({ kvkNumber: first.kvkNumber, legalName: 'Derde Poging B.V.' });
      const blocked = await post(typed);
      assert.equal(blocked.status, 429);
      const retryAfter = Number(blocked.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 3600, 'an hour at most: never a lock-out');
      assert.match(
        blocked.text,
        /Voor dit KvK-nummer zijn het afgelopen uur te veel registraties geprobeerd/,
      );
      assert.ok(
        blocked.text.includes(`href="/registreren/claim?kvk=${first.kvkNumber}"`),
        'the claim form, which no registration limit stands in, is offered',
      );
      assert.match(blocked.text, /U kunt het over \d+ minuten? opnieuw proberen/);
      assert.ok(blocked.text.includes('value="Derde Poging B.V."'), 'the typed name stays');
      assert.ok(blocked.text.includes(`value="${typed.email}"`), 'the typed address stays');
      assert.ok(!blocked.text.includes(TEST_PASSWORD), 'the password is never sent back');
      await assertValidHtml(blocked.text, 'registration refused by a limit');
      // Another number is not held up.
      assert.equal((await post(registrationFields())).status, 303);
    });

    it('per address: the next valid form gets 429 with its own message; an invalid form is not counted', async () => {
      const limited = testApp(ds(), { config: { registrationsPerIpPerDay: 2 } }).app;
      const post = (fields: ReturnType<typeof registrationFields>) =>
        submitForm(request.agent(limited), '/registreren', '/registreren', fields);
      assert.equal((await post(registrationFields({ postcode: 'geen' }))).status, 400);
      assert.equal((await post(registrationFields())).status, 303);
      assert.equal((await post(registrationFields())).status, 303);
      const blocked = await post(registrationFields());
      assert.equal(blocked.status, 429);
      assert.match(
        blocked.text,
        /Vanaf uw internetadres zijn de afgelopen 24 uur te veel registraties gedaan/,
      );
      const english = await submitForm(
        request.agent(limited),
        '/registreren?lang=en',
        '/registreren',
        registrationFields(),
      );
      assert.equal(english.status, 429);
      assert.match(english.text, /Too many registrations were made from your internet address/);
    });
  });
});

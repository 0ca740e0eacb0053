import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import request from 'supertest';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { signedIn, submitForm } from '../helpers/session';
import { must } from '../../src/shared/must';

const NEW_PASSWORD = 'een heel ander wachtwoord 99';

describe('token and session lifecycle (issue 10 item 13)', () => {
  const context = useTestApp();

  /** Asks for a reset link for `who`, from a fresh browser; the answer is the same whatever happens. */
  async function askForReset(who: TestUser): Promise<void> {
    const asked = await submitForm(
      request.agent(context.app),
      '/wachtwoord-vergeten',
      '/wachtwoord-vergeten',
      {
        email: who.email,
      },
    );
    assert.equal(asked.status, 200);
  }

  /** Asks for a reset link and reads it from the mail (as its recipient would). */
  async function resetLink(who: TestUser): Promise<string> {
    await askForReset(who);
    const [mail] = await context.db.dataSource
      .getRepository(OutboxMail)
      .find({ where: { recipient: who.email }, order: { id: 'DESC' }, take: 1 });
    assert.ok(mail, 'the reset link is mailed');
    return must(
      /http:\/\/register\.test(\/wachtwoord-herstellen\/[^\s]+)/.exec(mail.body)?.[1],
      'the mail holds the link',
    );
  }

  function resetWith(link: string) {
    return submitForm(request.agent(context.app), link, link, {
      password: NEW_PASSWORD,
      passwordConfirmation: NEW_PASSWORD,
    });
  }

  describe('POST /wachtwoord-herstellen/:token', () => {
    it('makes the other reset links of the account unusable', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const first = await resetLink(who);
      const second = await resetLink(who);
      assert.equal((await resetWith(second)).status, 200);
      const page = await request(context.app).get(first).expect(200);
      assert.match(page.text, /niet \(meer\) geldig|ongeldig|verlopen/i);
      assert.doesNotMatch(page.text, /name="password"/);
    });

    it('ends a login that was waiting for its second factor', async () => {
      const staff = await givenUser(context.db.dataSource, 'reviewer');
      const link = await resetLink(staff);
      const attacker = request.agent(context.app);
      const step = await submitForm(attacker, '/inloggen', '/inloggen', {
        email: staff.email,
        password: staff.password,
      });
      assert.equal(step.headers.location, '/inloggen/tweestaps');
      assert.equal((await resetWith(link)).status, 200);
      await attacker.get('/inloggen/tweestaps').expect(303).expect('Location', '/inloggen');
    });
  });

  describe('the absolute session lifetime', () => {
    it('ends a session 12 hours after sign-in, however active', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const agent = await signedIn(context.app, who);
      await agent.get('/account').expect(200);
      const thirteenHoursAgo = Date.now() - 13 * 3600 * 1000;
      await context.db.dataSource.query(
        `UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{signedInAt}', to_jsonb($2::bigint))::json
          WHERE sess->>'userId' = $1`,
        [who.user.id, thirteenHoursAgo],
      );
      await agent.get('/account').expect(303).expect('Location', '/inloggen?terug=%2Faccount');
    });
  });

  describe('GET and POST /account/wachtwoord', () => {
    it('makes a reset link sent before the change unusable', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const link = await resetLink(who);
      const here = await signedIn(context.app, who);
      const done = await submitForm(here, '/account/wachtwoord', '/account/wachtwoord', {
        currentPassword: who.password,
        password: NEW_PASSWORD,
        passwordConfirmation: NEW_PASSWORD,
      });
      assert.equal(done.status, 200);
      const page = await request(context.app).get(link).expect(200);
      assert.doesNotMatch(page.text, /name="passwordConfirmation"/, 'the old link offers no form');
      const forced = await submitForm(request.agent(context.app), '/wachtwoord-vergeten', link, {
        password: 'nog een ander wachtwoord 77',
        passwordConfirmation: 'nog een ander wachtwoord 77',
      });
      assert.equal(forced.status, 400, 'and refuses a post to it');
    });

    it('sends one account at most 3 reset mails an hour, whoever asks, and says the same each time', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      for (let i = 0; i < 6; i++) await askForReset(who);
      assert.equal(
        await context.db.dataSource.getRepository(OutboxMail).countBy({ recipient: who.email }),
        3,
      );
    });

    it('changes the password with the current one, ends the other sessions, and records it', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const elsewhere = await signedIn(context.app, who);
      const here = await signedIn(context.app, who);
      const account = await here.get('/account').expect(200);
      assert.match(account.text, /href="\/account\/wachtwoord"/);

      const wrong = await submitForm(here, '/account/wachtwoord', '/account/wachtwoord', {
        currentPassword: 'niet mijn wachtwoord 1',
        password: NEW_PASSWORD,
        passwordConfirmation: NEW_PASSWORD,
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /het huidige wachtwoord klopt niet/);
      const weak = await submitForm(here, '/account/wachtwoord', '/account/wachtwoord', {
        currentPassword: who.password,
        password: 'kort',
        passwordConfirmation: 'kort',
      });
      assert.equal(weak.status, 400, 'the policy of registration holds');

      const done = await submitForm(here, '/account/wachtwoord', '/account/wachtwoord', {
        currentPassword: who.password,
        password: NEW_PASSWORD,
        passwordConfirmation: NEW_PASSWORD,
      });
      assert.equal(done.status, 200);
      await here.get('/account').expect(200);
      await elsewhere.get('/account').expect(303).expect('Location', '/inloggen?terug=%2Faccount');
      await signedIn(context.app, { ...who, password: NEW_PASSWORD });
      const [event] = await context.db.dataSource.query<{ actor: string }[]>(
        `SELECT actor FROM audit_events WHERE action = 'user.password_changed' AND subject_id = $1`,
        [who.user.id],
      );
      assert.ok(event, 'the change is in the audit log');
      assert.equal(event.actor, actorOf(who.user));
    });
  });
});

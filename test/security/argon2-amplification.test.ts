import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { limitPasswordHashing, passwordHashesStarted } from '../../src/identity/password';
import { registrationFields } from '../factories/user.factory';
import { testApp, testConfig, useTestApp } from '../helpers/app';
import { registered, submitForm, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

const NEW_PASSWORD = {
  password: 'een nieuw lang wachtwoord 7',
  passwordConfirmation: 'een nieuw lang wachtwoord 7',
};

describe('argon2 amplification (issue 10 item 5)', () => {
  const context = useTestApp();

  describe('POST /wachtwoord-herstellen/:token', () => {
    it('refuses a bogus token before hashing anything', async () => {
      const before = passwordHashesStarted();
      const res = await submitForm(
        request.agent(context.app),
        '/inloggen',
        '/wachtwoord-herstellen/bogus',
        NEW_PASSWORD,
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /link/i);
      assert.equal(passwordHashesStarted(), before, 'no argon2 work for a dead link');
    });
  });

  describe('POST /uitnodiging/:token', () => {
    it('refuses a bogus invitation before hashing anything', async () => {
      const before = passwordHashesStarted();
      const res = await submitForm(request.agent(context.app), '/inloggen', '/uitnodiging/bogus', {
        name: 'Iemand',
        ...NEW_PASSWORD,
      });
      assert.equal(res.status, 400);
      assert.equal(passwordHashesStarted(), before);
    });
  });

  describe('POST /registreren', () => {
    it('refuses a KvK number that is taken before hashing anything', async () => {
      const first = registrationFields();
      await registered(context.app, context.db.dataSource, first);
      const before = passwordHashesStarted();
      const again = await submitForm(
        request.agent(context.app),
        '/registreren',
        '/registreren',
        registrationFields({ kvkNumber: first.kvkNumber }),
      );
      assert.equal(again.status, 400);
      assert.match(again.text, /KvK/);
      assert.equal(passwordHashesStarted(), before);
    });
  });

  describe('per-IP limits on the password forms', () => {
    let limited: Express;
    before(() => {
      limited = testApp(context.db.dataSource, { config: { passwordFormsPerIp: 3 } }).app;
    });
    beforeEach(() =>
      context.db.dataSource.query(`DELETE FROM rate_limits WHERE key LIKE 'password_form_ip:%'`),
    );

    for (const [form, path, fields] of [
      ['password reset', '/wachtwoord-herstellen/bogus', () => NEW_PASSWORD],
      ['registration', '/registreren', () => registrationFields({ kvkNumber: '1' })],
      ['invitation acceptance', '/uitnodiging/bogus', () => ({ name: 'X', ...NEW_PASSWORD })],
    ] as const) {
      it(`answers 429 with Retry-After after 3 ${form} attempts from one address`, async () => {
        for (let i = 0; i < 3; i++) {
          // A dead link's page has no form: the token comes from the login page of the same session.
          const res = await submitForm(request.agent(limited), '/inloggen', path, fields());
          assert.equal(res.status, 400, `attempt ${i + 1}`);
        }
        const blocked = await submitForm(request.agent(limited), '/inloggen', path, fields());
        assert.equal(blocked.status, 429);
        assert.ok(Number(blocked.headers['retry-after']) > 0);
      });
    }
  });

  describe('the hashing gate', () => {
    it('lets one address hold at most two places: the rest of its posts get 429, others still get in', async () => {
      const busy = testApp(context.db.dataSource, {
        config: { passwordHashConcurrency: 1, passwordHashQueue: 16, trustProxy: 1 },
      }).app;
      const agents = Array.from({ length: 8 }, () => request.agent(busy));
      const tokens = await Promise.all(agents.map((a) => tokenFor(a, '/registreren')));
      const post = (i: number, address: string) =>
        must(agents[i], 'eight agents')
          .post('/registreren')
          .set('X-Forwarded-For', address)
          .type('form')
          .send({ ...registrationFields(), _csrf: tokens[i] });
      const [flood, other] = await Promise.all([
        Promise.all([0, 1, 2, 3, 4, 5].map((i) => post(i, '203.0.113.50'))),
        post(6, '203.0.113.51'),
      ]);
      const statuses = flood.map((r) => r.status);
      assert.ok(statuses.includes(429), `the address was held to its share: ${statuses.join(',')}`);
      assert.ok(
        statuses.every((s) => s === 303 || s === 429),
        statuses.join(','),
      );
      assert.equal(other.status, 303, 'another address is not kept out');
    });

    after(() => limitPasswordHashing(testConfig.passwordHashConcurrency, testConfig.passwordHashQueue));

    it('answers 503 with Retry-After when more hashes wait than the queue holds, and never 500', async () => {
      const busy = testApp(context.db.dataSource, {
        config: { passwordHashConcurrency: 1, passwordHashQueue: 1, trustProxy: 1 },
      }).app;
      const agents = Array.from({ length: 8 }, () => request.agent(busy));
      const tokens = await Promise.all(agents.map((a) => tokenFor(a, '/registreren')));
      // Eight clients at eight addresses: the queue, not the per-client share, turns them away.
      const answers = await Promise.all(
        agents.map((a, i) =>
          a
            .post('/registreren')
            .set('X-Forwarded-For', `198.51.100.${i + 1}`)
            .type('form')
            .send({ ...registrationFields(), _csrf: tokens[i] }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      assert.ok(statuses.includes(503), `some were turned away: ${statuses.join(',')}`);
      assert.ok(statuses.includes(303), `the first ones got through: ${statuses.join(',')}`);
      assert.ok(
        statuses.every((s) => s === 303 || s === 503),
        statuses.join(','),
      );
      for (const r of answers.filter((a) => a.status === 503))
        assert.ok(Number(r.headers['retry-after']) > 0);
    });
  });
});

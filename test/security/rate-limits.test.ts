import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import request from 'supertest';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import { claimLoginAttempt, loginLimiters } from '../../src/web/auth';
import { currentTotp } from '../../src/identity/totp';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testApp, testConfig, useTestApp } from '../helpers/app';
import { submitForm, tokenFor } from '../helpers/session';

/** Seconds a key must still wait, read without using a point. */
async function blockedFor(limiter: RateLimiterPostgres, key: string): Promise<number | undefined> {
  const state = await limiter.get(key);
  if (state && state.consumedPoints >= limiter.points && state.msBeforeNext > 0)
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return undefined;
}

describe('rate limits (issue 10 item 7)', () => {
  const context = useTestApp();
  beforeEach(() => context.db.dataSource.query('DELETE FROM rate_limits'));

  function login(app: Express, who: { email: string; password: string }, ip?: string) {
    const agent = request.agent(app);
    return tokenFor(agent, '/inloggen').then((_csrf) => {
      const post = agent.post('/inloggen').type('form');
      if (ip) void post.set('X-Forwarded-For', ip);
      return post.send({ email: who.email, password: who.password, _csrf });
    });
  }
  const wrong = (who: TestUser) => ({ email: who.email, password: 'helemaal niet het wachtwoord' });

  describe('(a) TRUST_PROXY', () => {
    it('ignores a spoofed X-Forwarded-For by default: a new address per attempt does not reset the limit', async () => {
      const app = testApp(context.db.dataSource, { config: { loginAttemptsPerIp: 3 } }).app;
      const nobody = { email: 'niemand@test.example', password: 'wat dan ook 123' };
      for (let i = 1; i <= 3; i++) assert.equal((await login(app, nobody, `203.0.113.${i}`)).status, 400);
      const blocked = await login(app, nobody, '203.0.113.99');
      assert.equal(blocked.status, 429);
    });

    it('honours X-Forwarded-For from the trusted proxy when TRUST_PROXY=1', async () => {
      const app = testApp(context.db.dataSource, { config: { loginAttemptsPerIp: 3, trustProxy: 1 } }).app;
      const nobody = { email: 'niemand@test.example', password: 'wat dan ook 123' };
      for (let i = 1; i <= 3; i++) assert.equal((await login(app, nobody, '203.0.113.1')).status, 400);
      assert.equal((await login(app, nobody, '203.0.113.1')).status, 429);
      assert.equal((await login(app, nobody, '203.0.113.2')).status, 400, 'another client behind the proxy');
    });
  });

  describe('(b) POST /inloggen/tweestaps', () => {
    it('checks at most 5 of 40 wrong codes sent at once; the rest get 429', async function () {
      this.timeout(60_000);
      const staff = await givenUser(context.db.dataSource, 'reviewer');
      const agent = request.agent(context.app);
      const first = await submitForm(agent, '/inloggen', '/inloggen', {
        email: staff.email,
        password: staff.password,
      });
      assert.equal(first.headers.location, '/inloggen/tweestaps');
      const _csrf = await tokenFor(agent, '/inloggen/tweestaps');
      const valid = new Set(
        [-30_000, 0, 30_000].map((d) =>
          currentTotp(staff.totpSecret!, staff.email, new Date(Date.now() + d)),
        ),
      );
      const code = ['111111', '222222', '333333', '444444'].find((c) => !valid.has(c))!;
      const answers = await Promise.all(
        Array.from({ length: 40 }, () =>
          agent.post('/inloggen/tweestaps').type('form').send({ code, _csrf }),
        ),
      );
      const statuses = answers.map((r) => r.status);
      const checked = statuses.filter((s) => s === 400).length;
      assert.ok(checked <= 5, `${checked} codes were checked: ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 429).length, 40 - checked, statuses.join(','));
    });
  });

  describe('(c) failed logins on one account', () => {
    it('cannot lock an admin out: after 20 wrong passwords from address X, the admin signs in from Y within the cap', async function () {
      this.timeout(120_000);
      const app = testApp(context.db.dataSource, { config: { trustProxy: 1 } }).app;
      const admin = await givenUser(context.db.dataSource, 'admin');
      const fromX: number[] = [];
      for (let i = 0; i < 20; i++) fromX.push((await login(app, wrong(admin), '198.51.100.7')).status);
      assert.deepEqual(fromX.slice(0, 5), [400, 400, 400, 400, 400]);
      assert.ok(
        fromX.slice(5).every((s) => s === 429),
        `X is held off: ${fromX.join(',')}`,
      );

      const started = Date.now();
      let answer = await login(app, admin, '192.0.2.44');
      if (answer.status === 429) {
        const wait = Number(answer.headers['retry-after']);
        assert.ok(wait > 0 && wait <= testConfig.loginDelayMaxSeconds, `Retry-After ${wait} within the cap`);
        await sleep(wait * 1000);
        answer = await login(app, admin, '192.0.2.44');
      }
      assert.equal(answer.status, 303, 'the admin gets in from Y');
      assert.equal(answer.headers.location, '/inloggen/tweestaps');
      assert.ok(Date.now() - started <= testConfig.loginDelayMaxSeconds * 1000 + 10_000);
    });

    it('grows the delay per account with every further failure, up to the cap', async () => {
      const limiters = loginLimiters(context.db.dataSource, testConfig);
      const key = 'someone@test.example';
      const waits: (number | undefined)[] = [];
      for (let n = 1; n <= 12; n++) {
        assert.equal(
          (await claimLoginAttempt(limiters, key)).waitSeconds,
          undefined,
          `attempt ${n} is let through`,
        );
        waits.push(await blockedFor(limiters.accountDelay, key));
        // An attempt before the delay has passed is refused, and is not counted as a failure.
        if (waits.at(-1)) assert.ok((await claimLoginAttempt(limiters, key)).waitSeconds);
        await limiters.accountDelay.delete(key); // the delay passes
      }
      assert.deepEqual(waits.slice(0, 5), [undefined, undefined, undefined, undefined, undefined]);
      assert.deepEqual(waits.slice(5, 10), [2, 4, 8, 16, 32]);
      assert.deepEqual(waits.slice(10), [60, 60]);
    });

    it('checks at most 5 of 16 wrong passwords sent at once from one address', async () => {
      const app = testApp(context.db.dataSource, { config: { trustProxy: 1 } }).app;
      const who = await givenUser(context.db.dataSource, 'provider', {
        providerId: (await givenProvider(context.db.dataSource)).id,
      });
      const statuses = (
        await Promise.all(Array.from({ length: 16 }, () => login(app, wrong(who), '198.51.100.9')))
      ).map((r) => r.status);
      const checked = statuses.filter((s) => s === 400).length;
      assert.ok(checked <= 5, `${checked} passwords were checked: ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 429).length, 16 - checked, statuses.join(','));
    });
  });

  describe('(d) POST /inloggen', () => {
    it('does not count successful logins against the per-IP limit', async () => {
      const app = testApp(context.db.dataSource, { config: { loginAttemptsPerIp: 3 } }).app;
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      for (let i = 0; i < 6; i++) assert.equal((await login(app, who)).status, 303, `login ${i + 1}`);
      for (let i = 0; i < 3; i++) assert.equal((await login(app, wrong(who))).status, 400);
      assert.equal((await login(app, wrong(who))).status, 429, 'failures still count');
    });
  });
});

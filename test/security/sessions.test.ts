import assert from 'node:assert/strict';
import request from 'supertest';
import { currentTotp } from '../../src/identity/totp';
import { givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { csrfFrom, signedIn, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

/** The public pages with a form (and a CSRF token), as an anonymous visitor sees them. */
const PUBLIC_FORM_PAGES = [
  '/inloggen',
  '/registreren',
  '/wachtwoord-vergeten',
  '/verificatie',
  '/controleren/lijst',
];

describe('sessions: only stored once they hold someone', () => {
  const context = useTestApp();
  const sessionRows = async () =>
    Number(
      must(
        (await context.db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM sessions'))[0],
        'a count gives one row',
      ).n,
    );

  beforeEach(() => context.db.dataSource.query('DELETE FROM sessions'));

  describe('GET of every public form page, anonymously', () => {
    it('stores no session row, yet every page carries a CSRF token', async () => {
      const others = ['/', '/hostingproviders', '/controleren', '/wachtwoord-herstellen/x', '/uitnodiging/x'];
      for (const page of [...PUBLIC_FORM_PAGES, ...others]) {
        // A new browser for each page: a first visit is the case that used to make a row.
        const res = await request(context.app).get(page);
        // An unknown invitation link is a page too, answered 404.
        assert.equal(res.status, page === '/uitnodiging/x' ? 404 : 200, page);
        if (PUBLIC_FORM_PAGES.includes(page)) csrfFrom(res.text);
      }
      assert.equal(await sessionRows(), 0);
    });
  });

  describe('POST of a public form, anonymously', () => {
    it('accepts a valid token from the same browser, still without a session row', async () => {
      const browser = request.agent(context.app);
      const _csrf = await tokenFor(browser, '/wachtwoord-vergeten');
      const res = await browser
        .post('/wachtwoord-vergeten')
        .type('form')
        .send({ _csrf, email: 'niemand@test.example' });
      assert.equal(res.status, 200);
      const bulk = await browser
        .post('/controleren/lijst')
        .field('_csrf', await tokenFor(browser, '/controleren/lijst'))
        .field('nummers', '12345678')
        .field('peildatum', '2026-01-01')
        .field('formaat', 'html');
      assert.equal(bulk.status, 200);
      assert.equal(await sessionRows(), 0);
    });

    it("refuses a token from another browser, even with that browser's token cookie copied along", async () => {
      const victim = request.agent(context.app);
      const attacker = request.agent(context.app);
      const attackerPage = await attacker.get('/wachtwoord-vergeten');
      const attackerToken = csrfFrom(attackerPage.text);
      await victim.get('/wachtwoord-vergeten');
      const plain = await victim
        .post('/wachtwoord-vergeten')
        .type('form')
        .send({ _csrf: attackerToken, email: 'a@test.example' });
      assert.equal(plain.status, 403);
      // The attacker plants their own token cookie too: the token is bound to the browser id.
      const attackerCookie = (attackerPage.headers['set-cookie'] as unknown as string[])
        .map((c) => must(c.split(';')[0], 'split gives one part'))
        .find((c) => c.startsWith('vhp.csrf='))!;
      const victimBrowserId = await victim.get('/wachtwoord-vergeten').then((r) => {
        const cookies = (r.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
        return cookies
          .map((c) => must(c.split(';')[0], 'split gives one part'))
          .find((c) => c.startsWith('vhp.bid='));
      });
      const planted = await request(context.app)
        .post('/wachtwoord-vergeten')
        .set(
          'Cookie',
          [attackerCookie, victimBrowserId ?? 'vhp.bid=00000000000000000000000000000000'].join('; '),
        )
        .type('form')
        .send({ _csrf: attackerToken, email: 'a@test.example' });
      assert.equal(planted.status, 403);
    });
  });

  describe('login, second factor, account', () => {
    it('changes the token at each step; the token from before login no longer works afterwards', async () => {
      const who = await givenUser(context.db.dataSource, 'reviewer');
      const browser = request.agent(context.app);
      const anonymousToken = await tokenFor(browser, '/inloggen');
      const login = await browser
        .post('/inloggen')
        .type('form')
        .send({ _csrf: anonymousToken, email: who.email, password: who.password });
      assert.equal(login.status, 303);
      assert.equal(login.headers.location, '/inloggen/tweestaps');
      const pendingToken = await tokenFor(browser, '/inloggen/tweestaps');
      assert.notEqual(pendingToken, anonymousToken);
      const stale = await browser
        .post('/inloggen/tweestaps')
        .type('form')
        .send({ _csrf: anonymousToken, code: '000000' });
      assert.equal(stale.status, 403);
      const second = await browser
        .post('/inloggen/tweestaps')
        .type('form')
        .send({ _csrf: pendingToken, code: currentTotp(who.totpSecret!, who.email, new Date()) });
      assert.equal(second.status, 303);
      const accountToken = await tokenFor(browser, '/account');
      assert.notEqual(accountToken, pendingToken);
      const oldToken = await browser.post('/uitloggen').type('form').send({ _csrf: pendingToken });
      assert.equal(oldToken.status, 403);
      assert.equal((await browser.get('/account')).status, 200);
      assert.equal(await sessionRows(), 1);
      const logout = await browser.post('/uitloggen').type('form').send({ _csrf: accountToken });
      assert.equal(logout.status, 303);
      assert.equal(await sessionRows(), 0);
    });

    it('signs in the usual way (the test helper), for a provider without a second factor too', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const agent = await signedIn(context.app, who);
      assert.equal((await agent.get('/account')).status, 200);
    });
  });
});

describe('coming back after login without an anonymous session', () => {
  const ctx = useTestApp();

  it('carries the page to return to in the login URL: no session row, and the login leads back there', async () => {
    const count = async () =>
      must(
        (await ctx.db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM sessions'))[0],
        'a count gives one row',
      ).n;
    const agent = request.agent(ctx.app);
    const before = await count();
    for (let i = 0; i < 5; i++) await agent.get(`/account?x=${'a'.repeat(2000)}${i}`).expect(303);
    const res = await agent.get('/beoordeling').expect(303);
    assert.equal(res.headers.location, '/inloggen?terug=%2Fbeoordeling');
    assert.equal(await count(), before, 'a protected page stores nothing for an anonymous visitor');
    const page = await agent.get(res.headers.location).expect(200);
    assert.match(page.text, /name="terug" value="\/beoordeling"/);
    const reviewer = await givenUser(ctx.db.dataSource, 'reviewer', { totp: false });
    const login = await agent
      .post('/inloggen')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        email: reviewer.email,
        password: reviewer.password,
        terug: '/beoordeling',
      });
    assert.equal(login.headers.location, '/beoordeling');
  });

  it('never sends anyone to another site after login', async () => {
    const agent = request.agent(ctx.app);
    for (const evil of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      '/.//evil.example',
      '/beoordeling/..//evil.example',
    ]) {
      const page = await agent.get(`/inloggen?terug=${encodeURIComponent(evil)}`).expect(200);
      assert.doesNotMatch(page.text, /name="terug"/, `${evil} is not offered back`);
    }
    const page = await agent.get('/inloggen').expect(200);
    const who = await givenUser(ctx.db.dataSource, 'provider', {
      providerId: (await givenProvider(ctx.db.dataSource)).id,
    });
    const login = await agent
      .post('/inloggen')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        email: who.email,
        password: who.password,
        terug: '//evil.example/',
      });
    assert.equal(login.headers.location, '/account');
  });
});

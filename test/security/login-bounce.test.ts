import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { currentTotp } from '../../src/identity/totp';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { csrfFrom } from '../helpers/session';
import { must } from '../../src/shared/must';

/**
 * A client that acts like a browser: it follows a redirect as soon as the headers arrive, without
 * waiting for the rest of the answer (fetch resolves on headers).
 */
class BrowserLike {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(this.base + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = must(line.split(';')[0], 'split gives one part');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  }

  /** Submits the form on `path` and follows the redirect at once; answers the page landed on. */
  async submit(path: string, fields: Record<string, string>): Promise<{ location: string; status: number }> {
    const page = await this.request(path);
    const _csrf = csrfFrom(await page.text());
    const posted = await this.request(path, { ...fields, _csrf });
    assert.equal(posted.status, 303, `POST ${path} answered ${posted.status}`);
    const location = posted.headers.get('location')!;
    const landed = await this.request(location);
    void posted.body?.cancel();
    return { location, status: landed.status };
  }
}

describe('the login bounce (issue 10, code review)', () => {
  const context = useTestApp();
  let server: Server;
  let base: string;

  before(async () => {
    server = context.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  async function logIn(who: TestUser): Promise<void> {
    const browser = new BrowserLike(base);
    const password = await browser.submit('/inloggen', { email: who.email, password: who.password });
    if (who.totpSecret) {
      assert.equal(password.location, '/inloggen/tweestaps');
      assert.equal(password.status, 200, 'the second-factor page found the pending session');
      await who.forgetTotpStep!();
      const second = await browser.submit('/inloggen/tweestaps', {
        code: currentTotp(who.totpSecret, who.email, new Date()),
      });
      assert.equal(second.location, '/account');
      assert.equal(second.status, 200, 'the account page found the signed-in session');
    } else {
      assert.equal(password.location, '/account');
      assert.equal(password.status, 200, 'the account page found the signed-in session');
    }
  }

  it('lands on /account in 50 logins in a row that follow the redirect at once', async function () {
    this.timeout(180_000);
    const provider = await givenProvider(context.db.dataSource);
    const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    for (let i = 0; i < 50; i++) await logIn(who);
  });

  it('lands on /account in 20 logins with a second factor that follow each redirect at once', async function () {
    this.timeout(180_000);
    const who = await givenUser(context.db.dataSource, 'reviewer');
    for (let i = 0; i < 20; i++) await logIn(who);
  });
});

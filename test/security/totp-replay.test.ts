import assert from 'node:assert/strict';
import request from 'supertest';
import { currentTotp } from '../../src/identity/totp';
import { givenUser, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { submitForm } from '../helpers/session';

describe('TOTP replay (issue 10 item 6)', () => {
  const context = useTestApp();

  /** Password step on a fresh agent, then the given code; answers the second step's response. */
  async function loginWithCode(who: TestUser, code: string) {
    const agent = request.agent(context.app);
    const first = await submitForm(agent, '/inloggen', '/inloggen', {
      email: who.email,
      password: who.password,
    });
    assert.equal(first.headers.location, '/inloggen/tweestaps');
    return submitForm(agent, '/inloggen/tweestaps', '/inloggen/tweestaps', { code });
  }

  describe('POST /inloggen/tweestaps', () => {
    it('accepts a code once: the same valid code a second time is refused', async () => {
      const who = await givenUser(context.db.dataSource, 'reviewer');
      const code = currentTotp(who.totpSecret!, who.email, new Date());
      const first = await loginWithCode(who, code);
      assert.equal(first.status, 303);
      assert.equal(first.headers.location, '/account');
      const replay = await loginWithCode(who, code);
      assert.equal(replay.status, 400);
      assert.match(replay.text, /deze code klopt niet/);
    });

    it('refuses a code of an earlier time step once a newer one was used', async () => {
      const who = await givenUser(context.db.dataSource, 'admin');
      const now = Date.now();
      // The next step's code is accepted (clock drift), and from then on the current one is old.
      const newer = await loginWithCode(who, currentTotp(who.totpSecret!, who.email, new Date(now + 30_000)));
      assert.equal(newer.status, 303);
      const older = await loginWithCode(who, currentTotp(who.totpSecret!, who.email, new Date(now)));
      assert.equal(older.status, 400);
    });
  });
});

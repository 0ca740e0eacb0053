import assert from 'node:assert/strict';
import request from 'supertest';
import { encryptClearTotpSecrets } from '../../src/identity/secrets';
import { currentTotp, newTotpSecret } from '../../src/identity/totp';
import { sha256Hex } from '../../src/shared/tokens';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, testSecretBox, type TestUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { csrfFrom, signedIn, submitForm } from '../helpers/session';
import { must } from '../../src/shared/must';

describe('secrets at rest (issue 10 item 11)', () => {
  const context = useTestApp();

  async function passwordStep(who: TestUser) {
    const agent = request.agent(context.app);
    const res = await submitForm(agent, '/inloggen', '/inloggen', {
      email: who.email,
      password: who.password,
    });
    assert.equal(res.headers.location, '/inloggen/tweestaps');
    return agent;
  }

  describe('POST /account/tweestapsverificatie', () => {
    it('keeps the seed being enrolled and the recovery codes out of the sessions table', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const agent = await signedIn(context.app, who);
      const setup = await agent.get('/account/tweestapsverificatie').expect(200);
      const secret = must(/data-secret="([A-Z2-7]+)"/.exec(setup.text)?.[1], 'the page shows the seed');
      const sessions = async () =>
        (await context.db.dataSource.query<{ s: string }[]>('SELECT sess::text AS s FROM sessions'))
          .map((r) => r.s)
          .join('\n');
      assert.ok(!(await sessions()).includes(secret), 'the seed being enrolled is sealed in the session');
      await agent
        .post('/account/tweestapsverificatie')
        .type('form')
        .send({ _csrf: csrfFrom(setup.text), code: currentTotp(secret, who.email, new Date()) })
        .expect(303);
      const stored = await sessions();
      const page = await agent.get('/account/tweestapsverificatie').expect(200);
      const codes = [...page.text.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) =>
        must(m[1], 'the pattern has a group'),
      );
      assert.equal(codes.length, 10, 'the codes are shown once');
      for (const code of codes)
        assert.ok(!stored.includes(code), 'a recovery code in clear in the sessions table');
    });

    it('stores no TOTP seed and no plain SHA-256 of a recovery code, and both still sign in', async () => {
      const provider = await givenProvider(context.db.dataSource);
      const who = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
      const agent = await signedIn(context.app, who);
      const setup = await agent.get('/account/tweestapsverificatie').expect(200);
      const secret = must(/data-secret="([A-Z2-7]+)"/.exec(setup.text)?.[1], 'the page shows the seed');
      await agent
        .post('/account/tweestapsverificatie')
        .type('form')
        .send({ _csrf: csrfFrom(setup.text), code: currentTotp(secret, who.email, new Date()) })
        .expect(303);
      const page = await agent.get('/account/tweestapsverificatie').expect(200);
      const codes = [...page.text.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) =>
        must(m[1], 'the pattern has a group'),
      );
      assert.equal(codes.length, 10);

      const [row] = await context.db.dataSource.query<{ totp_secret: string }[]>(
        'SELECT totp_secret FROM users WHERE id = $1',
        [who.user.id],
      );
      assert.ok(row, 'the user exists');
      assert.match(row.totp_secret, /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
      assert.ok(!row.totp_secret.includes(secret), 'the base32 seed is not in the users table');
      const stored = await context.db.dataSource.query<{ code_hash: string; hash_kind: string }[]>(
        'SELECT code_hash, hash_kind FROM recovery_codes WHERE user_id = $1',
        [who.user.id],
      );
      assert.equal(stored.length, 10);
      const plain = new Set(codes.map((c) => sha256Hex(c)));
      assert.ok(stored.every((r) => r.hash_kind === 'hmac' && !plain.has(r.code_hash)));

      // The enrolment code's step is used: the next step's code signs in.
      const totp = await passwordStep(who);
      const withTotp = await submitForm(totp, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: currentTotp(secret, who.email, new Date(Date.now() + 30_000)),
      });
      assert.equal(withTotp.status, 303);
      const recovery = await passwordStep(who);
      const withCode = await submitForm(recovery, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: must(codes[3], 'ten codes'),
      });
      assert.equal(withCode.status, 303);
    });
  });

  describe('rows from before encryption', () => {
    it('encrypts clear seeds once at start, and a legacy SHA-256 recovery code still works until used', async () => {
      const who = await givenUser(context.db.dataSource, 'auditor');
      const seed = newTotpSecret();
      await context.db.dataSource.query('UPDATE users SET totp_secret = $1 WHERE id = $2', [
        seed,
        who.user.id,
      ]);
      await context.db.dataSource.query(
        `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, // hash_kind defaults to sha256
        [who.user.id, sha256Hex('abcde-fghjk')],
      );

      assert.ok((await encryptClearTotpSecrets(context.db.dataSource, testSecretBox)) >= 1);
      assert.equal(await encryptClearTotpSecrets(context.db.dataSource, testSecretBox), 0, 'idempotent');
      const [row] = await context.db.dataSource.query<{ totp_secret: string }[]>(
        'SELECT totp_secret FROM users WHERE id = $1',
        [who.user.id],
      );
      assert.ok(row, 'the user exists');
      assert.equal(testSecretBox.decrypt(row.totp_secret), seed);

      const totp = await passwordStep(who);
      const ok = await submitForm(totp, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: currentTotp(seed, who.email, new Date()),
      });
      assert.equal(ok.status, 303, 'the encrypted seed still signs in');
      const legacy = await passwordStep(who);
      const used = await submitForm(legacy, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: 'ABCDE-FGHJK',
      });
      assert.equal(used.status, 303, 'the legacy recovery code works');
      const again = await passwordStep(who);
      const reused = await submitForm(again, '/inloggen/tweestaps', '/inloggen/tweestaps', {
        code: 'abcde-fghjk',
      });
      assert.equal(reused.status, 400, 'once');
    });
  });
});

import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { User } from '../../src/identity/user.entity';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { DEMO_NEW_KVK } from '../../src/seed/demo-eherkenning';
import { testApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import {
  callback,
  clientKeyPair,
  startTestBroker,
  type TestBroker,
  throughBroker,
} from '../helpers/eherkenning';
import { csrfFrom, registered, signedIn, submitForm } from '../helpers/session';
import { givenProvider, uniqueKvk } from '../factories/provider.factory';
import { handOverOrganisation } from '../../src/identity/organisation-transfer';
import { givenUser, registrationFields, validVatNumber } from '../factories/user.factory';

/** The audit events of `action` about `subjectId`, oldest first. */
async function events(db: TestDatabase, action: string, subjectId?: string) {
  return db.dataSource.query<{ actor: string; data: Record<string, unknown>; subject_id: string }[]>(
    `SELECT actor, data, subject_id FROM audit_events WHERE action = $1 ${subjectId ? 'AND subject_id = $2' : ''} ORDER BY id`,
    subjectId ? [action, subjectId] : [action],
  );
}

async function mailsTo(db: TestDatabase, recipient: string) {
  return db.dataSource.getRepository(OutboxMail).find({ where: { recipient }, order: { id: 'ASC' } });
}

/** A form of the register, posted with its page's CSRF token. */
async function post(agent: ReturnType<typeof request.agent>, path: string, fields: Record<string, string>) {
  const page = await agent.get(path);
  assert.equal(page.status, 200, `GET ${path} answered ${page.status}`);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: csrfFrom(page.text) });
}

function organisationForm(overrides: Record<string, string> = {}) {
  const n = uniqueKvk();
  return {
    legalName: `eHerkenning Hosting ${n} B.V.`,
    tradeNames: '',
    vatNumber: validVatNumber(),
    streetAddress: 'Herkenningsweg 3',
    postcode: '3511 AB',
    city: 'Utrecht',
    website: '',
    abuseEmail: `abuse-${n}@eh.example`,
    asNumbers: '',
    name: 'Eva Herkenning',
    email: `eva-${n}@eh.example`,
    ...overrides,
  };
}

describe('eHerkenning login through a real OpenID provider', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let app: Express;
  let broker: TestBroker;
  const numbers = {
    fresh: uniqueKvk(),
    joined: uniqueKvk(),
    taken: uniqueKvk(),
    returning: uniqueKvk(),
    claimed: uniqueKvk(),
  };

  before(async () => {
    db = await createTestDatabase();
    broker = await startTestBroker([
      { id: 'eva', label: 'Eva (new company)', kvkNumber: numbers.fresh, level: 'EH3' },
      { id: 'jan', label: 'Jan (joins)', kvkNumber: numbers.joined, level: 'EH3' },
      { id: 'piet', label: 'Piet (takes over)', kvkNumber: numbers.taken, level: 'EH4' },
      { id: 'ria', label: 'Ria (returns)', kvkNumber: numbers.returning, level: 'EH3' },
      { id: 'kees', label: 'Kees (after a claim)', kvkNumber: numbers.claimed, level: 'EH3' },
    ]);
    app = testApp(db.dataSource, { config: broker.config }).app;
  });
  after(async () => {
    await broker?.close();
    await db?.drop();
  });

  it('offers "Inloggen met eHerkenning" on the login page', async () => {
    const page = await request(app).get('/inloggen');
    await assertValidHtml(page.text, '/inloggen');
    assert.match(page.text, /Inloggen met eHerkenning/);
    assert.match(page.text, /href="\/inloggen\/eherkenning" data-eherkenning/);
    const back = await request(app).get('/inloggen?terug=%2Faanvragen%3Fa%3D1%26b%3D2');
    assert.match(back.text, /href="\/inloggen\/eherkenning\?terug=%2Faanvragen%3Fa%3D1%26b%3D2"/);
  });

  it('sends the browser to the broker with PKCE (S256), state, nonce and the required level', async () => {
    const start = await request.agent(app).get('/inloggen/eherkenning');
    assert.equal(start.status, 303);
    const url = new URL(String(start.headers.location));
    assert.equal(url.origin, broker.issuer);
    for (const name of ['state', 'nonce', 'code_challenge'])
      assert.ok((url.searchParams.get(name) ?? '').length >= 32, name);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('acr_values'), 'urn:etoegang:core:assurance-class:loa3');
    assert.equal(url.searchParams.get('redirect_uri'), 'http://register.test/inloggen/eherkenning/terug');
  });

  it('creates the organisation on the first login for a new number, confirmed by eHerkenning', async () => {
    const agent = request.agent(app);
    const back = await callback(agent, await throughBroker(agent, broker, { account: 'eva' }));
    assert.equal(back.status, 303);
    assert.equal(back.headers.location, '/inloggen/eherkenning/organisatie');
    const form = await agent.get('/inloggen/eherkenning/organisatie');
    assert.match(form.text, new RegExp(`data-kvk>${numbers.fresh}<`));
    assert.doesNotMatch(form.text, /name="kvkNumber"/, 'the number is not a form field');

    // A refused form keeps what was typed.
    const fields = organisationForm();
    const refused = await post(agent, '/inloggen/eherkenning/organisatie', { ...fields, postcode: 'nope' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, new RegExp(fields.legalName));
    await assertValidHtml(refused.text, '/inloggen/eherkenning/organisatie');

    const done = await post(agent, '/inloggen/eherkenning/organisatie', fields);
    assert.equal(done.status, 303);
    assert.equal(done.headers.location, '/account');
    const account = await agent.get('/account');
    assert.equal(account.status, 200);
    assert.match(account.text, new RegExp(fields.legalName));

    const provider = await db.dataSource
      .getRepository(Provider)
      .findOneByOrFail({ kvkNumber: numbers.fresh });
    assert.equal(provider.identityConfirmedHow, 'eherkenning');
    assert.ok(provider.identityConfirmedAt);
    const user = await db.dataSource.getRepository(User).findOneByOrFail({ email: fields.email });
    assert.equal(user.oidcIssuer, broker.issuer);
    assert.equal(user.oidcSubject, 'eva');
    assert.equal(user.providerId, provider.id);
    const hash = await db.dataSource.query<{ password_hash: string | null }[]>(
      'SELECT password_hash FROM users WHERE id = $1',
      [user.id],
    );
    assert.equal(hash[0]!.password_hash, null, 'no password');
    const logins = await events(db, 'user.logged_in', user.id);
    assert.deepEqual(logins.at(-1)!.data, { way: 'eherkenning', assuranceLevel: 'EH3' });
    assert.equal((await events(db, 'provider.identity_confirmed', provider.id))[0]!.data.how, 'eherkenning');
    // The registration's receipt, and a link that confirms the address typed (it blocks nothing).
    const mails = await mailsTo(db, fields.email);
    assert.equal(mails.length, 2);
    assert.match(mails.map((m) => m.body).join('\n'), /\/e-mailadres-bevestigen\//);
    assert.equal(user.emailVerifiedAt, null, 'the address typed is not proven by eHerkenning');
  });

  it('lets a returning person straight in, with no form, password or second factor', async () => {
    const provider = await givenProvider(db.dataSource, { kvkNumber: numbers.returning });
    const first = request.agent(app);
    await callback(first, await throughBroker(first, broker, { account: 'ria' }));
    const email = `ria-${numbers.returning}@eh.example`;
    const joined = await post(first, '/inloggen/eherkenning/aansluiten', { name: 'Ria', email });
    assert.equal(joined.headers.location, '/account');

    const again = request.agent(app);
    const back = await callback(again, await throughBroker(again, broker, { account: 'ria' }));
    assert.equal(back.status, 303);
    assert.equal(back.headers.location, '/account');
    assert.equal((await again.get('/account')).status, 200);
    const users = await db.dataSource.getRepository(User).findBy({ providerId: provider.id });
    assert.equal(users.length, 1, 'one account for the person, not one per login');
  });

  it('joins a confirmed organisation: a new account beside its users, who are told by mail', async () => {
    const provider = await givenProvider(db.dataSource, { kvkNumber: numbers.joined });
    const colleague = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const agent = request.agent(app);
    const back = await callback(agent, await throughBroker(agent, broker, { account: 'jan' }));
    assert.equal(back.headers.location, '/inloggen/eherkenning/aansluiten');
    const page = await agent.get('/inloggen/eherkenning/aansluiten');
    assert.match(page.text, new RegExp(provider.legalName));
    assert.doesNotMatch(page.text, /data-takeover/);

    // An address that has an account already is refused, and the form keeps the name.
    const taken = await post(agent, '/inloggen/eherkenning/aansluiten', {
      name: 'Jan Joiner',
      email: colleague.email,
    });
    assert.equal(taken.status, 400);
    assert.match(taken.text, /Jan Joiner/);

    const email = `jan-${numbers.joined}@eh.example`;
    const done = await post(agent, '/inloggen/eherkenning/aansluiten', { name: 'Jan Joiner', email });
    assert.equal(done.headers.location, '/account');
    const jan = await db.dataSource.getRepository(User).findOneByOrFail({ email });
    assert.equal(jan.providerId, provider.id);
    const stillThere = await db.dataSource.getRepository(User).findOneByOrFail({ id: colleague.user.id });
    assert.equal(stillThere.disabledAt, null, 'joining takes nothing from the others');
    const told = await mailsTo(db, colleague.email);
    assert.ok(
      told.some((m) => m.body.includes('Jan Joiner')),
      'the colleague hears of it',
    );
    assert.equal((await signedIn(app, colleague).then((a) => a.get('/account'))).status, 200);
  });

  it('raises a review task when someone proven by eHerkenning joins an organisation a claim handed over', async () => {
    // The second outside try: the claimant (a PDF a reviewer checked) kept the organisation, and the
    // real owner's eHerkenning login only made them the claimant's colleague, with nobody told.
    const provider = await givenProvider(db.dataSource, { kvkNumber: numbers.claimed });
    const claimant = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    await db.dataSource.query(
      `INSERT INTO organisation_claims (kvk_number, claimant_name, email, phone, company_role, confirm_token_hash,
         confirm_expires_at, created_at, confirmed_at, provider_id, decision, decided_at, decided_by, user_id)
       VALUES ($1, 'Eve Claimant', $2, '0612345678', 'director', repeat('c', 64), now(), now(), now(), $3,
         'approved', now(), 'reviewer:test', $4)`,
      [numbers.claimed, claimant.email, provider.id, claimant.user.id],
    );
    const agent = request.agent(app);
    const back = await callback(agent, await throughBroker(agent, broker, { account: 'kees' }));
    assert.equal(back.headers.location, '/inloggen/eherkenning/aansluiten');
    const email = `kees-${numbers.claimed}@eh.example`;
    const done = await post(agent, '/inloggen/eherkenning/aansluiten', { name: 'Kees Owner', email });
    assert.equal(done.headers.location, '/account');
    const kees = await db.dataSource.getRepository(User).findOneByOrFail({ email });
    const tasks = await db.dataSource.query<{ detail: Record<string, unknown> }[]>(
      `SELECT detail FROM review_tasks WHERE provider_id = $1 AND kind = 'eherkenning_after_hand_over' AND resolved_at IS NULL`,
      [provider.id],
    );
    assert.equal(tasks.length, 1, 'a reviewer gets a task');
    assert.deepEqual(tasks[0]!.detail, {
      userId: kees.id,
      assuranceLevel: 'EH3',
      kvkNumber: numbers.claimed,
      joined: true,
    });
    const opened = await events(db, 'review_task.opened', provider.id);
    assert.equal(opened.at(-1)!.data.kind, 'eherkenning_after_hand_over');
  });

  it('takes over an organisation registered only with passwords: the others lose access, all are told, a reviewer gets a task', async () => {
    const provider = await givenProvider(db.dataSource, { kvkNumber: numbers.taken }, { unconfirmed: true });
    const squatter = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const squatterSession = await signedIn(app, squatter);
    assert.equal((await squatterSession.get('/account')).status, 200);

    const agent = request.agent(app);
    const back = await callback(agent, await throughBroker(agent, broker, { account: 'piet' }));
    assert.equal(back.headers.location, '/inloggen/eherkenning/aansluiten');
    const page = await agent.get('/inloggen/eherkenning/aansluiten');
    assert.match(page.text, /data-takeover/);
    await assertValidHtml(page.text, '/inloggen/eherkenning/aansluiten');
    const email = `piet-${numbers.taken}@eh.example`;
    const done = await post(agent, '/inloggen/eherkenning/aansluiten', { name: 'Piet Eigenaar', email });
    assert.equal(done.headers.location, '/account');

    const after = await db.dataSource.getRepository(Provider).findOneByOrFail({ id: provider.id });
    assert.equal(after.identityConfirmedHow, 'eherkenning');
    const former = await db.dataSource.getRepository(User).findOneByOrFail({ id: squatter.user.id });
    assert.ok(former.disabledAt, 'the former user lost access');
    assert.equal((await squatterSession.get('/account')).status, 303, "the former user's session ended");
    assert.equal((await mailsTo(db, squatter.email)).length >= 1, true, 'the former user is told');
    assert.equal(
      (await mailsTo(db, email)).length,
      2,
      'the new owner is told, and gets a link to confirm the address',
    );
    const handedOver = await events(db, 'provider.handed_over', provider.id);
    assert.equal(handedOver.length, 1);
    assert.equal(handedOver[0]!.data.how, 'eherkenning');
    const tasks = await db.dataSource.query<{ kind: string }[]>(
      'SELECT kind FROM review_tasks WHERE provider_id = $1',
      [provider.id],
    );
    assert.deepEqual(
      tasks.map((t) => t.kind),
      ['organisation_taken_over'],
    );
  });

  it("adopts the account of the address the owner gives in a takeover, without the squatter's password", async () => {
    // The tester's reproduction: a squatter registers the number with the owner's address and a
    // password; the owner takes over with eHerkenning and types that address. A registration now
    // makes nothing before its link is used, so here the owner, in a hurry, used the link the
    // squatter's registration sent to their address.
    const kvkNumber = uniqueKvk();
    const local = await startTestBroker([{ id: 'owner', label: 'Owner', kvkNumber, level: 'EH3' }]);
    try {
      const localApp = testApp(db.dataSource, { config: local.config }).app;
      const fields = registrationFields({ kvkNumber });
      const squatter = request.agent(localApp);
      await registered(localApp, db.dataSource, fields, squatter);
      const provider = await db.dataSource.getRepository(Provider).findOneByOrFail({ kvkNumber });
      const adopted = await db.dataSource.getRepository(User).findOneByOrFail({ email: fields.email });
      await db.dataSource.query(
        `INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, encode(sha256(random()::text::bytea), 'hex') FROM generate_series(1, 3)`,
        [adopted.id],
      );
      await db.dataSource.query(
        `UPDATE users SET totp_secret = 'squatter-secret', totp_enabled_at = now() WHERE id = $1`,
        [adopted.id],
      );
      const other = await givenUser(db.dataSource, 'provider', { providerId: provider.id });

      const agent = request.agent(localApp);
      await callback(agent, await throughBroker(agent, local, { account: 'owner' }));
      const done = await post(agent, '/inloggen/eherkenning/aansluiten', {
        name: 'De Eigenaar',
        email: fields.email,
      });
      assert.equal(done.headers.location, '/account');
      assert.equal((await agent.get('/account')).status, 200, 'the owner is signed in');

      const kept = await db.dataSource
        .getRepository(User)
        .createQueryBuilder('u')
        .addSelect(['u.passwordHash', 'u.totpSecret'])
        .where('u.id = :id', { id: adopted.id })
        .getOneOrFail();
      assert.equal(kept.disabledAt, null);
      assert.equal(kept.oidcSubject, 'owner');
      assert.equal(kept.passwordHash, null, 'the password someone else set is gone');
      assert.equal(kept.totpSecret, null);
      assert.equal(kept.totpEnabledAt, null);
      const [codes] = await db.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1',
        [adopted.id],
      );
      assert.equal(codes!.n, 0);
      const [open] = await db.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM account_tokens WHERE user_id = $1 AND used_at IS NULL`,
        [adopted.id],
      );
      assert.equal(open!.n, 0, 'no link someone else asked for stays usable');
      assert.ok((await db.dataSource.getRepository(User).findOneByOrFail({ id: other.user.id })).disabledAt);

      // The squatter's password opens nothing any more, and their old confirmation link is dead.
      const again = request.agent(localApp);
      const login = await submitForm(again, '/inloggen', '/inloggen', {
        email: fields.email,
        password: fields.password,
      });
      assert.notEqual(login.headers.location, '/account');
      assert.equal((await again.get('/account')).status, 303, 'the squatter is not signed in');

      const adoptedEvents = await events(db, 'user.adopted_by_eherkenning', adopted.id);
      assert.equal(adoptedEvents.length, 1);
      assert.equal(adoptedEvents[0]!.data.passwordRemoved, true);
      assert.equal(adoptedEvents[0]!.data.secondFactorRemoved, true);
      assert.equal(adoptedEvents[0]!.data.recoveryCodesRemoved, 3);
    } finally {
      await local.close();
    }
  });

  it('authenticates to the broker with private_key_jwt when given a key file instead of a secret', async () => {
    const key = clientKeyPair();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'vhp-eh-key-')), 'client.pem');
    writeFileSync(file, key.pem);
    const kvkNumber = uniqueKvk();
    const local = await startTestBroker([{ id: 'jwt', label: 'JWT', kvkNumber, level: 'EH3' }], {
      privateKeyJwk: key.publicJwk,
    });
    try {
      const settings = { ...local.config.eherkenning!, clientSecret: undefined, privateKeyFile: file };
      const localApp = testApp(db.dataSource, { config: { eherkenning: settings } }).app;
      const agent = request.agent(localApp);
      const back = await callback(agent, await throughBroker(agent, local, { account: 'jwt' }));
      assert.equal(
        back.headers.location,
        '/inloggen/eherkenning/organisatie',
        back.text
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(-800),
      );
    } finally {
      await local.close();
    }
  });

  it('refuses a person whose account is blocked, or acts for another organisation than the login (403, audited)', async () => {
    const kvkNumber = uniqueKvk();
    const provider = await givenProvider(db.dataSource, { kvkNumber });
    const local = await startTestBroker([{ id: 'kim', label: 'Kim', kvkNumber, level: 'EH3' }]);
    try {
      const localApp = testApp(db.dataSource, { config: local.config }).app;
      const first = request.agent(localApp);
      await callback(first, await throughBroker(first, local, { account: 'kim' }));
      const email = `kim-${kvkNumber}@eh.example`;
      await post(first, '/inloggen/eherkenning/aansluiten', { name: 'Kim', email });
      const kim = await db.dataSource.getRepository(User).findOneByOrFail({ email });

      const elsewhere = await givenProvider(db.dataSource);
      await db.dataSource.getRepository(User).update(kim.id, { providerId: elsewhere.id });
      const moved = request.agent(localApp);
      const other = await callback(moved, await throughBroker(moved, local, { account: 'kim' }));
      assert.equal(other.status, 403);
      assert.match(other.text, /hoort bij een andere organisatie/);

      await db.dataSource
        .getRepository(User)
        .update(kim.id, { providerId: provider.id, disabledAt: new Date() });
      const blocked = request.agent(localApp);
      const answer = await callback(blocked, await throughBroker(blocked, local, { account: 'kim' }));
      assert.equal(answer.status, 403);
      assert.match(answer.text, /geblokkeerd/);
      assert.equal((await blocked.get('/account')).status, 303, 'not signed in');
      const refusals = await db.dataSource.query<{ reason: string }[]>(
        `SELECT data->>'reason' AS reason FROM audit_events
          WHERE action = 'security.eherkenning_refused' AND subject_id = $1 ORDER BY id`,
        [kim.id],
      );
      assert.deepEqual(
        refusals.map((r) => r.reason),
        ['other_organisation', 'account_disabled'],
      );
    } finally {
      await local.close();
    }
  });

  it('tells an eHerkenning person whose account a claim handed over to contact the register, and raises a review task', async () => {
    const kvkNumber = uniqueKvk();
    const local = await startTestBroker([{ id: 'noor', label: 'Noor', kvkNumber, level: 'EH3' }]);
    try {
      const localApp = testApp(db.dataSource, { config: local.config }).app;
      const provider = await givenProvider(db.dataSource, { kvkNumber });
      const first = request.agent(localApp);
      await callback(first, await throughBroker(first, local, { account: 'noor' }));
      const email = `noor-${kvkNumber}@eh.example`;
      await post(first, '/inloggen/eherkenning/aansluiten', { name: 'Noor', email });
      const noor = await db.dataSource.getRepository(User).findOneByOrFail({ email });
      // A hand-over (as a claim's approval does) disabled her account.
      const claimant = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
      await db.dataSource.transaction((m) =>
        handOverOrganisation(m, {
          providerId: provider.id,
          toUserId: claimant.user.id,
          how: 'claim',
          actor: 'reviewer:00000000-0000-4000-8000-000000000000',
          config: { publicBaseUrl: 'http://register.test', contactEmail: 'register@test.example' },
          now: new Date(),
        }),
      );

      const again = request.agent(localApp);
      const answer = await callback(again, await throughBroker(again, local, { account: 'noor' }));
      assert.equal(answer.status, 403);
      assert.match(answer.text, /overgedragen/);
      assert.match(answer.text, /neem contact op met het register via/);
      await assertValidHtml(answer.text, 'the refusal after a hand-over');
      const tasks = await db.dataSource.query<{ kind: string; detail: { userId: string } }[]>(
        `SELECT kind, detail FROM review_tasks WHERE provider_id = $1 AND resolved_at IS NULL`,
        [provider.id],
      );
      const task = tasks.find((t) => t.kind === 'eherkenning_after_hand_over');
      assert.ok(task, 'a reviewer gets a task');
      assert.equal(task.detail.userId, noor.id);
      const refusals = await events(db, 'security.eherkenning_refused', noor.id);
      assert.equal(refusals.at(-1)?.data.reason, 'handed_over');
    } finally {
      await local.close();
    }
  });

  it('answers 404 for the eHerkenning pages when eHerkenning is off', async () => {
    const off = testApp(db.dataSource).app;
    for (const path of ['/inloggen/eherkenning', '/inloggen/eherkenning/terug?code=x&state=y'])
      assert.equal((await request(off).get(path)).status, 404, path);
    assert.doesNotMatch((await request(off).get('/inloggen')).text, /Inloggen met eHerkenning/);
  });

  describe('the demo provider of `npm start` (development, no broker configured)', () => {
    let server: http.Server;
    let base: string;
    before(async () => {
      server = http.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const eherkenning = loadConfig({ NODE_ENV: 'development', PUBLIC_BASE_URL: base }).eherkenning;
      assert.equal(eherkenning?.mode, 'demo');
      const demo = testApp(db.dataSource, { config: { publicBaseUrl: base, eherkenning } }).app;
      server.on('request', demo);
    });
    after(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );

    it('runs the whole login against the provider mounted at /demo-eherkenning, behind PUBLIC_BASE_URL', async () => {
      const agent = request.agent(base);
      const discovery = await agent.get('/demo-eherkenning/.well-known/openid-configuration');
      assert.equal(discovery.status, 200);
      assert.equal((discovery.body as { issuer: string }).issuer, `${base}/demo-eherkenning`);
      const chooser = await agent.get('/inloggen/eherkenning').redirects(2);
      assert.match(chooser.text, /Nieuwe Haven Hosting/);
      assert.match(chooser.text, /EH2/);

      const back = await throughBroker(
        agent,
        { issuer: `${base}/demo-eherkenning` },
        { account: 'demo-nieuw' },
        agent,
      );
      const answer = await callback(agent, back);
      assert.equal(answer.headers.location, '/inloggen/eherkenning/organisatie');
      const done = await post(agent, '/inloggen/eherkenning/organisatie', organisationForm());
      assert.equal(done.headers.location, '/account');
      const provider = await db.dataSource
        .getRepository(Provider)
        .findOneByOrFail({ kvkNumber: DEMO_NEW_KVK });
      assert.equal(provider.identityConfirmedHow, 'eherkenning');
    });

    it('refuses the demo company at EH2 as too low', async () => {
      const agent = request.agent(base);
      const back = await throughBroker(
        agent,
        { issuer: `${base}/demo-eherkenning` },
        { account: 'demo-eh2' },
        agent,
      );
      const answer = await callback(agent, back);
      assert.equal(answer.status, 403);
      assert.match(answer.text, /te laag betrouwbaarheidsniveau/);
    });
  });
});

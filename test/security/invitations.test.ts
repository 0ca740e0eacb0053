import { actorOf } from '../../src/audit/actor';
import assert from 'node:assert/strict';
import request from 'supertest';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { testApp, useTestApp } from '../helpers/app';
import { type Agent, signedIn, submitForm } from '../helpers/session';
import { must } from '../../src/shared/must';

/** A provider user signed in on `app`, of a fresh organisation unless one is given. */
async function providerUser(ctx: ReturnType<typeof useTestApp>, providerId?: string) {
  const id = providerId ?? (await givenProvider(ctx.db.dataSource)).id;
  const who = await givenUser(ctx.db.dataSource, 'provider', { providerId: id });
  return { providerId: id, who };
}

const invite = (agent: Agent, email: string) => submitForm(agent, '/account', '/account/collegas', { email });

let counter = 0;
const address = () => `colleague-${Date.now()}-${++counter}@invited.example`;

/** The token of the invitation link mailed to `email`. */
async function invitationToken(ctx: ReturnType<typeof useTestApp>, email: string): Promise<string> {
  const mail = await ctx.db.dataSource.getRepository(OutboxMail).findOneByOrFail({ recipient: email });
  const token = /\/uitnodiging\/([A-Za-z0-9_-]+)/.exec(mail.body)?.[1];
  assert.ok(token, 'the mail holds the link');
  return token;
}

/** The revoke form of the invitation for `email` on the account page. */
function revokeAction(html: string, email: string): string {
  const action = new RegExp(
    `data-invitation="[^"]+">[\\s\\S]*?${email.replace(/[.]/g, '\\.')}[\\s\\S]*?action="([^"]+)"`,
  ).exec(html)?.[1];
  assert.ok(action, `the account page lists the invitation for ${email} with a revoke form`);
  return action;
}

describe('invitations: no mail relay through POST /account/collegas', () => {
  const ctx = useTestApp();

  it('refuses the 11th invitation of one user within an hour: 429 with Retry-After and a clear page', async () => {
    // A high cap on open invitations, so that only the hourly limit can refuse.
    const app = testApp(ctx.db.dataSource, { config: { pendingInvitationsPerProvider: 100 } }).app;
    const { who } = await providerUser(ctx);
    const agent = await signedIn(app, who);
    for (let i = 1; i <= 10; i++)
      assert.equal((await invite(agent, address())).status, 200, `invitation ${i}`);
    const eleventh = address();
    const res = await invite(agent, eleventh);
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers['retry-after']) > 15 * 60, 'an hour’s limit, not a few minutes');
    assert.match(res.text, /Te veel pogingen/);
    assert.match(res.text, /U kunt het over \d+ minuten opnieuw proberen/);
    assert.equal(await ctx.db.dataSource.getRepository(OutboxMail).countBy({ recipient: eleventh }), 0);
  });

  it('counts refused tries too: probing addresses is limited per user and per organisation', async () => {
    const app = testApp(ctx.db.dataSource, { config: { invitationsPerUserPerHour: 3 } }).app;
    const staff = await givenUser(ctx.db.dataSource, 'auditor');
    const first = await providerUser(ctx);
    const agent = await signedIn(app, first.who);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await invite(agent, staff.email)).status);
    // Invited (a notice to the staff account), then refused as already invited by this organisation.
    assert.deepEqual(statuses, [200, 400, 400, 429]);
    // The organisation's other users share 3 × 3 tries an hour: 6 more, then none.
    const others = [];
    for (let u = 0; u < 3; u++)
      others.push(await signedIn(app, (await providerUser(ctx, first.providerId)).who));
    const more = [];
    for (const other of others)
      for (let i = 0; i < 3; i++) more.push((await invite(other, address())).status);
    assert.equal(more.filter((s) => s === 429).length, 3, more.join());
  });

  it('treats an address of another organisation or of staff, or invited by others, like any other: listed, mailed, audited alike', async () => {
    const staff = await givenUser(ctx.db.dataSource, 'auditor');
    const stranger = await providerUser(ctx);
    const invitedByOthers = address();
    assert.equal((await invite(await signedIn(ctx.app, stranger.who), invitedByOthers)).status, 200);
    const { who, providerId } = await providerUser(ctx);
    const agent = await signedIn(ctx.app, who);
    const fresh = address();
    const sent = await invite(agent, fresh);
    const answer = (html: string) => must(/<main[\s\S]*<\/main>/.exec(html)?.[0], 'main');
    const elsewhere = [staff.email, stranger.who.email, invitedByOthers];
    for (const email of elsewhere) {
      const res = await invite(agent, email);
      assert.equal(res.status, 200, email);
      assert.equal(
        answer(res.text).replaceAll(email, fresh),
        answer(sent.text),
        'the same page as a sent one',
      );
      assert.doesNotMatch(res.text, /al een account bij|openstaande uitnodiging van/);
    }

    // The organisation's list shows all four alike, each with its revoke form.
    const page = (await agent.get('/account').expect(200)).text;
    const row = (email: string) =>
      must(
        new RegExp(
          `<tr[^>]*data-invitation="[^"]+">(?:(?!</tr>)[\\s\\S])*${email.replace(/[.]/g, '\\.')}[\\s\\S]*?</tr>`,
        ).exec(page)?.[0],
        `the list shows ${email}`,
      )
        .replaceAll(email, 'ADDRESS')
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID')
        .replace(/datetime="[^"]+"/g, 'datetime="T"');
    for (const email of elsewhere) {
      revokeAction(page, email);
      assert.equal(row(email), row(fresh), `${email} is listed like a new address`);
    }

    // Every address gets one mail from this organisation: a link, or a notice for an existing account.
    const outbox = ctx.db.dataSource.getRepository(OutboxMail);
    const mailTo = async (email: string) => (await outbox.findBy({ recipient: email })).map((m) => m.body);
    for (const email of [staff.email, stranger.who.email]) {
      const [notice, ...more] = await mailTo(email);
      assert.equal(more.length, 0, email);
      assert.doesNotMatch(must(notice, email), /\/uitnodiging\//, 'an existing account gets no link');
      assert.match(notice!, /heeft geprobeerd u uit te nodigen/);
      assert.match(notice!, /bestaat al een account/);
      assert.match(notice!, /already has an account/);
    }
    const [first, second] = (
      await outbox.find({ where: { recipient: invitedByOthers }, order: { id: 'ASC' } })
    ).map((m) => m.body);
    assert.match(must(first, 'first'), /\/uitnodiging\//);
    assert.match(must(second, 'second'), /\/uitnodiging\//, 'an address invited elsewhere gets its own link');

    // The audit log records each one as the same kind of event with the same fields.
    // The address is personal: it is kept beside the public log, the event holds its digest.
    const events = await ctx.db.dataSource.query<
      { action: string; data: Record<string, unknown>; personal: { email: string } }[]
    >(
      `SELECT e.action, e.data, pd.data AS personal
         FROM audit_events e JOIN audit_personal_data pd ON pd.event_id = e.id
        WHERE e.action LIKE 'invitation.%' AND e.subject_id = $1 ORDER BY e.id`,
      [providerId],
    );
    assert.deepEqual(
      events.map((e) => [e.action, e.personal.email, Object.keys(e.data).sort().join()]),
      [fresh, ...elsewhere].map((email) => [
        'invitation.created',
        email,
        'expiredRevoked,invitationId,mail,personalData,role',
      ]),
    );
    assert.deepEqual(
      events.map((e) => e.data.mail),
      ['link', 'notice', 'notice', 'link'],
    );
  });

  it('a link of an address that got an account through another invitation can no longer be used', async () => {
    const email = address();
    const first = await providerUser(ctx);
    const second = await providerUser(ctx);
    await invite(await signedIn(ctx.app, first.who), email);
    await invite(await signedIn(ctx.app, second.who), email);
    const mails = await ctx.db.dataSource
      .getRepository(OutboxMail)
      .find({ where: { recipient: email }, order: { id: 'ASC' } });
    const links = mails.map((m) => must(/\/uitnodiging\/([A-Za-z0-9_-]+)/.exec(m.body)?.[1], 'link'));
    assert.equal(links.length, 2);
    const password = 'correct horse battery staple 42';
    const accept = (token: string) =>
      submitForm(request.agent(ctx.app), `/uitnodiging/${token}`, `/uitnodiging/${token}`, {
        name: 'Nieuwe Collega',
        password,
        passwordConfirmation: password,
      });
    assert.equal((await accept(links[1]!)).status, 303, 'the second organisation’s link is used first');
    const get = await request(ctx.app).get(`/uitnodiging/${links[0]}`).expect(410);
    assert.match(get.text, /bestaat al een account/);
    assert.doesNotMatch(get.text, /<form method="post" novalidate class="register-form">/);
    const post = await submitForm(request.agent(ctx.app), '/registreren', `/uitnodiging/${links[0]}`, {
      name: 'Nieuwe Collega',
      password,
      passwordConfirmation: password,
    });
    assert.equal(post.status, 400);
    assert.match(post.text, /bestaat al een account/);
    const users = await ctx.db.dataSource.query<{ provider_id: string }[]>(
      `SELECT provider_id FROM users WHERE email = $1`,
      [email],
    );
    assert.deepEqual(
      users.map((u) => u.provider_id),
      [second.providerId],
    );
  });

  it('keeps the precise message for a colleague of the same organisation', async () => {
    const { who, providerId } = await providerUser(ctx);
    const colleague = await givenUser(ctx.db.dataSource, 'provider', { providerId });
    const res = await invite(await signedIn(ctx.app, who), colleague.email);
    assert.equal(res.status, 400);
    assert.match(res.text, /Dit adres heeft al een account bij uw organisatie/);
    assert.ok(res.text.includes(`value="${colleague.email}"`), 'the typed address is kept');
  });

  it('refuses more than 10 open invitations per organisation, whoever sends them', async () => {
    const first = await providerUser(ctx);
    const second = await providerUser(ctx, first.providerId);
    const a = await signedIn(ctx.app, first.who);
    const b = await signedIn(ctx.app, second.who);
    for (let i = 0; i < 6; i++) assert.equal((await invite(a, address())).status, 200);
    for (let i = 0; i < 4; i++) assert.equal((await invite(b, address())).status, 200);
    const res = await invite(b, address());
    assert.equal(res.status, 400);
    assert.match(res.text, /maximale aantal openstaande uitnodigingen/);
  });

  it('refuses invitations from an organisation whose identity no reviewer has confirmed (no phishing relay)', async () => {
    const provider = await givenProvider(
      ctx.db.dataSource,
      { legalName: 'Uw Bank: verifieer via https://evil.example B.V.' },
      { unconfirmed: true },
    );
    const { who } = await providerUser(ctx, provider.id);
    const agent = await signedIn(ctx.app, who);
    const email = address();
    const res = await invite(agent, email);
    assert.equal(res.status, 400);
    assert.match(res.text, /zodra een beoordelaar heeft bevestigd/);
    assert.equal(await ctx.db.dataSource.getRepository(OutboxMail).countBy({ recipient: email }), 0);
  });

  it('answers "already invited" to a second open invitation for one address', async () => {
    const { who } = await providerUser(ctx);
    const agent = await signedIn(ctx.app, who);
    const email = address();
    assert.equal((await invite(agent, email)).status, 200);
    const again = await invite(agent, email.toUpperCase());
    assert.equal(again.status, 400);
    assert.match(again.text, /al een openstaande uitnodiging/);
    assert.equal(await ctx.db.dataSource.getRepository(OutboxMail).countBy({ recipient: email }), 1);
  });

  describe('POST /account/uitnodigingen/:id/intrekken', () => {
    it('lists the open invitation and revoking it kills the link at once', async () => {
      const { who, providerId } = await providerUser(ctx);
      const agent = await signedIn(ctx.app, who);
      const email = address();
      await invite(agent, email);
      const token = await invitationToken(ctx, email);
      const before = await request(ctx.app).get(`/uitnodiging/${token}`).expect(200);
      assert.doesNotMatch(before.text, /ongeldig/);

      const page = await agent.get('/account').expect(200);
      const action = revokeAction(page.text, email);
      const res = await submitForm(agent, '/account', action, {});
      assert.equal(res.status, 303);

      const get = await request(ctx.app).get(`/uitnodiging/${token}`).expect(410);
      assert.match(get.text, /Deze link is ongeldig/);
      // The dead link shows no form: the token comes from another page, as an attacker would get it.
      const post = await submitForm(request.agent(ctx.app), '/registreren', `/uitnodiging/${token}`, {
        name: 'Indringer',
        password: 'correct horse battery staple 42',
        passwordConfirmation: 'correct horse battery staple 42',
      });
      assert.equal(post.status, 400);
      assert.match(post.text, /Deze link is ongeldig/);
      assert.equal(
        await ctx.db.dataSource
          .query(`SELECT 1 FROM users WHERE email = $1`, [email])
          .then((r: unknown[]) => r.length),
        0,
      );

      const after = await agent.get('/account').expect(200);
      assert.ok(!after.text.includes(email), 'no longer listed');
      const [event] = await ctx.db.dataSource.query<{ actor: string; personal: { email: string } }[]>(
        `SELECT e.actor, pd.data AS personal
           FROM audit_events e JOIN audit_personal_data pd ON pd.event_id = e.id
          WHERE e.action = 'invitation.revoked' AND e.subject_id = $1`,
        [providerId],
      );
      assert.ok(event, 'the revocation is in the audit log');
      assert.equal(event.actor, actorOf(who.user));
      assert.equal(event.personal.email, email);
      // Revoked: the address may be invited again.
      assert.equal((await invite(agent, email)).status, 200);
    });

    it("answers 404 to another organisation's user and leaves the invitation open", async () => {
      const owner = await providerUser(ctx);
      const stranger = await providerUser(ctx);
      const ownerAgent = await signedIn(ctx.app, owner.who);
      const email = address();
      await invite(ownerAgent, email);
      const action = revokeAction((await ownerAgent.get('/account')).text, email);

      const strangerAgent = await signedIn(ctx.app, stranger.who);
      const res = await submitForm(strangerAgent, '/account', action, {});
      assert.equal(res.status, 404);
      await request(ctx.app)
        .get(`/uitnodiging/${await invitationToken(ctx, email)}`)
        .expect(200)
        .expect((r) => assert.doesNotMatch(r.text, /ongeldig/));
    });

    it('refuses a revoke without the CSRF token', async () => {
      const { who } = await providerUser(ctx);
      const agent = await signedIn(ctx.app, who);
      const email = address();
      await invite(agent, email);
      const action = revokeAction((await agent.get('/account')).text, email);
      const res = await agent.post(action).type('form').send({});
      assert.equal(res.status, 403);
    });
  });
});

import assert from 'node:assert/strict';
import request from 'supertest';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { User } from '../../src/identity/user.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { givenProvider, uniqueKvk } from '../factories/provider.factory';
import { givenUser, registrationFields, TEST_PASSWORD } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn, tokenFor } from '../helpers/session';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('claiming a registered organisation (issue 17 §3)', () => {
  const context = useTestApp();
  const db = () => context.db.dataSource;
  let reviewer: Agent;

  before(async () => {
    reviewer = await signedIn(context.app, await givenUser(db(), 'reviewer'));
  });

  const claimFields = (kvkNumber: string, email = `claimant-${uniqueKvk()}@echt.example`) => ({
    kvkNumber,
    name: 'Echte Eigenaar',
    email,
    phone: '+31 20 123 4567',
    companyRole: 'directeur',
    message: 'Wij hebben dit bedrijf nooit zelf geregistreerd.',
  });

  const postClaim = async (
    agent: Agent,
    fields: Record<string, string>,
    extract: { bytes: Buffer; name: string } | null = {
      bytes: simplePdf('Uittreksel Handelsregister'),
      name: 'uittreksel.pdf',
    },
  ) => {
    const token = await tokenFor(agent, '/registreren/claim');
    let req = agent.post('/registreren/claim').field('_csrf', token);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (extract) req = req.attach('extract', extract.bytes, extract.name);
    return req;
  };

  const mailTo = (address: string) =>
    db()
      .getRepository(OutboxMail)
      .find({ where: { recipient: address }, order: { id: 'ASC' } });
  const linkIn = (body: string, path: string) => {
    const link = new RegExp(`http://register\\.test(${path}[^\\s]+)`).exec(body)?.[1];
    assert.ok(link, `the mail has a ${path} link`);
    return link;
  };
  const openTasks = async (providerId: string) =>
    (
      await db().query<{ kind: string }[]>(
        `SELECT kind FROM review_tasks WHERE provider_id = $1 AND resolved_at IS NULL`,
        [providerId],
      )
    ).map((t) => t.kind);

  /** Sends a claim and confirms its address; answers the claimant's address. */
  const claimConfirmed = async (kvkNumber: string, extract?: { bytes: Buffer; name: string }) => {
    const agent = request.agent(context.app);
    const fields = claimFields(kvkNumber);
    const sent = await postClaim(agent, fields, extract);
    assert.equal(sent.status, 303);
    const [mail] = await mailTo(fields.email);
    const link = linkIn(mail!.body, '/registreren/claim/bevestigen/');
    const page = await agent.get(link);
    assert.equal(page.status, 200);
    const done = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(done.status, 200);
    assert.match(done.text, /U krijgt bericht per e-mail over uw claim/);
    return { email: fields.email, link, agent };
  };

  it('shows the way forward when registration refuses a KvK number registered already', async () => {
    const taken = await givenProvider(db(), {}, { unconfirmed: true });
    const agent = request.agent(context.app);
    const token = await tokenFor(agent, '/registreren');
    const res = await agent
      .post('/registreren')
      .type('form')
      .send({ ...registrationFields({ kvkNumber: taken.kvkNumber }), _csrf: token });
    assert.equal(res.status, 400);
    assert.match(res.text, /dit KvK-nummer is al geregistreerd/);
    assert.match(res.text, /data-claim-way/);
    assert.ok(res.text.includes(`href="/registreren/claim?kvk=${taken.kvkNumber}"`));
    // No eHerkenning configured: no login offered.
    assert.ok(!res.text.includes('eHerkenning om haar te claimen'));
    const form = await agent.get(`/registreren/claim?kvk=${taken.kvkNumber}`);
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(`value="${taken.kvkNumber}"`), 'the number is filled in');
    await assertValidHtml(form.text, 'the claim form');
  });

  it('answers a claim the same whether the number is registered or not, and waits for the address', async () => {
    const registered = await givenProvider(db(), {}, { unconfirmed: true });
    const nobody = uniqueKvk();
    const answers = [];
    for (const kvk of [registered.kvkNumber, nobody]) {
      const res = await postClaim(request.agent(context.app), claimFields(kvk));
      answers.push([res.status, res.headers.location]);
    }
    assert.deepEqual(answers[0], [303, '/registreren/claim/verstuurd']);
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(await openTasks(registered.id), [], 'no task before the address is confirmed');
    const sent = await request(context.app).get('/registreren/claim/verstuurd');
    assert.match(sent.text, /Bevestig uw e-mailadres/);
  });

  it('refuses a claim without an extract, or with one that is no PDF, PNG or JPEG, keeping what was typed', async () => {
    const registered = await givenProvider(db(), {}, { unconfirmed: true });
    const agent = request.agent(context.app);
    const fields = claimFields(registered.kvkNumber);
    const none = await postClaim(agent, fields, null);
    assert.equal(none.status, 400);
    assert.match(none.text, /kies een uittreksel uit het Handelsregister/);
    assert.ok(none.text.includes('value="Echte Eigenaar"'), 'the form keeps what was typed');
    const text = await postClaim(agent, fields, { bytes: Buffer.from('geen pdf'), name: 'uittreksel.pdf' });
    assert.equal(text.status, 400);
    assert.match(text.text, /het uittreksel moet een PDF, PNG of JPEG zijn/);
    await assertValidHtml(text.text, 'the refused claim form');
    const png = await postClaim(agent, fields, { bytes: PNG, name: 'scan.png' });
    assert.equal(
      png.status,
      303,
      `a scan as PNG is fine: ${/register-field__error[^>]*>([^<]+)/.exec(png.text)?.[1]}`,
    );
  });

  it('limits the confirmed claims of one KvK number a day, so that unconfirmed junk cannot lock the owner out', async () => {
    const registered = await givenProvider(db(), {}, { unconfirmed: true });
    // Five junk claims whose addresses are never confirmed: the owner's claim still goes through.
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await postClaim(request.agent(context.app), claimFields(registered.kvkNumber))).status,
        303,
      );
    for (let i = 0; i < 5; i++) await claimConfirmed(registered.kvkNumber);
    // The sixth confirmation of that number today is refused on the confirmation page.
    const agent = request.agent(context.app);
    const fields = claimFields(registered.kvkNumber);
    assert.equal((await postClaim(agent, fields)).status, 303);
    const [mail] = await mailTo(fields.email);
    const link = linkIn(mail!.body, '/registreren/claim/bevestigen/');
    const page = await agent.get(link);
    const refused = await agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(refused.status, 429);
  });

  it('closes a confirmed claim of a number nobody registered, and says so to the confirmed address only', async () => {
    const nobody = uniqueKvk();
    const { email, link, agent } = await claimConfirmed(nobody);
    const mails = await mailTo(email);
    assert.equal(mails.length, 2);
    assert.match(mails[1]!.body, /Er is geen organisatie met KvK-nummer/);
    const again = await agent.get(link);
    assert.equal(again.status, 404);
    assert.match(again.text, /Deze link werkt niet \(meer\)/);
  });

  it('approved: the organisation moves to the claimant, who sets a password; the squatter loses access', async () => {
    const squatted = await givenProvider(db(), {}, { unconfirmed: true });
    const squatter = await givenUser(db(), 'provider', { providerId: squatted.id });
    const squatterAgent = await signedIn(context.app, squatter);
    const { email } = await claimConfirmed(squatted.kvkNumber);
    assert.deepEqual(await openTasks(squatted.id), ['organisation_claim']);

    const queue = await reviewer.get('/beoordeling');
    assert.match(queue.text, /beoordeel het KvK-uittreksel/);
    const page = await reviewer.get(`/beoordeling/hostingproviders/${squatted.kvkNumber}`);
    assert.match(
      page.text,
      /Claims op deze organisatie/,
      page.text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 1500),
    );
    assert.ok(page.text.includes(email), 'the reviewer sees who claims it');
    await assertValidHtml(page.text, 'the provider page with a claim');
    const claimId = /data-claim="([0-9a-f-]{36})"/.exec(page.text)?.[1];
    assert.ok(claimId);
    const extractLink = /href="(\/beoordeling\/uittreksels\/[0-9a-f-]{36})"/.exec(page.text)?.[1];
    assert.equal((await reviewer.get(extractLink!)).status, 200, 'the reviewer opens the extract');

    // First the confirmation page: nothing changes yet; it names the accounts that lose access.
    const asked = await reviewer
      .post(`/beoordeling/claims/${claimId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve' });
    assert.equal(asked.status, 200);
    assert.match(asked.text, /data-not-recorded/);
    assert.ok(asked.text.includes(squatter.email), 'the squatter is listed as losing access');
    assert.match(asked.text, /data-verified="no"/);
    await assertValidHtml(asked.text, 'the confirmation of a claim');
    assert.equal((await db().getRepository(User).findOneByOrFail({ id: squatter.user.id })).disabledAt, null);
    const decided = await reviewer
      .post(`/beoordeling/claims/${claimId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(asked.text), decision: 'approve', confirm: '1' });
    assert.equal(decided.status, 303);
    const after = await reviewer.get(decided.headers.location!);
    assert.match(after.text, /data-claim-notice/);
    assert.match(after.text, /De claim is goedgekeurd/);

    const provider = await db().getRepository(Provider).findOneByOrFail({ id: squatted.id });
    assert.equal(provider.identityConfirmedHow, 'kvk_extract');
    const users = db().getRepository(User);
    assert.ok((await users.findOneByOrFail({ id: squatter.user.id })).disabledAt, 'the squatter is disabled');
    assert.equal((await squatterAgent.get('/account')).status, 303, "the squatter's session ended");
    const owner = await users.findOneByOrFail({ email });
    assert.equal(owner.providerId, squatted.id);
    assert.ok(owner.emailVerifiedAt, 'the claim confirmed the address');
    assert.deepEqual(await openTasks(squatted.id), [], 'the claim task is closed');

    // The claimant chooses a password through the mail's link, then logs in.
    const mails = await mailTo(email);
    const handedOver = mails.find((m) => /U beheert nu/.test(m.subject));
    assert.ok(handedOver, 'the claimant hears the organisation is theirs');
    const resetLink = linkIn(handedOver.body, '/wachtwoord-herstellen/');
    const claimant = request.agent(context.app);
    const form = await claimant.get(resetLink);
    assert.equal(form.status, 200);
    const set = await claimant
      .post(resetLink)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), password: TEST_PASSWORD, passwordConfirmation: TEST_PASSWORD });
    assert.equal(set.status, 200, 'the password is set');
    const account = await signedIn(context.app, { user: owner, email, password: TEST_PASSWORD });
    const own = await account.get('/account');
    assert.equal(own.status, 200);
    assert.ok(own.text.includes(squatted.legalName));
    const squatterMail = await mailTo(squatter.email);
    assert.ok(squatterMail.some((m) => /Uw toegang tot .* is beëindigd/.test(m.subject)));

    // The audit events name the claim and the reviewer, never the claimant's address.
    const events = await db()
      .getRepository(AuditEvent)
      .find({ where: [{ subjectId: claimId }, { subjectId: squatted.id }] });
    const actions = events.map((e) => e.action);
    for (const action of ['claim.submitted', 'claim.confirmed', 'claim.approved', 'provider.handed_over'])
      assert.ok(actions.includes(action), action);
    for (const event of events) assert.ok(!JSON.stringify(event.data).includes(email), event.action);

    // Decided: a second decision is a conflict.
    const again = await reviewer
      .post(`/beoordeling/claims/${claimId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'reject', reason: 'te laat' });
    assert.equal(again.status, 409);
  });

  it('rejected: asks for a reason, then the claimant hears it and the organisation stays as it was', async () => {
    const squatted = await givenProvider(db(), {}, { unconfirmed: true });
    const squatter = await givenUser(db(), 'provider', { providerId: squatted.id });
    const { email } = await claimConfirmed(squatted.kvkNumber);
    const page = await reviewer.get(`/beoordeling/hostingproviders/${squatted.kvkNumber}`);
    const claimId = /data-claim="([0-9a-f-]{36})"/.exec(page.text)?.[1];
    const url = `/beoordeling/claims/${claimId}/besluit`;
    const refused = await reviewer
      .post(url)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'reject', reason: ' ' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /schrijf waarom u de claim afwijst/);
    const done = await reviewer
      .post(url)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        decision: 'reject',
        reason: 'Het uittreksel hoort bij een ander bedrijf.',
      });
    assert.equal(done.status, 303);
    const mail = (await mailTo(email)).find((m) => /afgewezen/.test(m.subject));
    assert.ok(mail);
    assert.match(mail.body, /Het uittreksel hoort bij een ander bedrijf\./);
    assert.equal((await db().getRepository(User).findOneByOrFail({ id: squatter.user.id })).disabledAt, null);
    assert.equal(
      (await db().getRepository(Provider).findOneByOrFail({ id: squatted.id })).identityConfirmedAt,
      null,
    );
    assert.deepEqual(await openTasks(squatted.id), []);
  });

  it('never lets a reviewer decide on a claim of their own organisation', async () => {
    const squatted = await givenProvider(db(), {}, { unconfirmed: true });
    await claimConfirmed(squatted.kvkNumber);
    const [claim] = await db().query<{ id: string }[]>(
      `SELECT id FROM organisation_claims WHERE provider_id = $1`,
      [squatted.id],
    );
    const own = await signedIn(context.app, await givenUser(db(), 'reviewer', { providerId: squatted.id }));
    const page = await own.get(`/beoordeling/hostingproviders/${squatted.kvkNumber}`);
    assert.ok(!page.text.includes(`/beoordeling/claims/${claim!.id}/besluit`), 'no decision form');
    const res = await own
      .post(`/beoordeling/claims/${claim!.id}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve' });
    assert.equal(res.status, 403);
  });

  /** The ids of the open claims on the staff page of a provider, in page order, and the page. */
  const claimsOn = async (kvkNumber: string, agent: Agent = reviewer) => {
    const page = await agent.get(`/beoordeling/hostingproviders/${kvkNumber}`);
    assert.equal(page.status, 200);
    return { page, ids: [...page.text.matchAll(/data-claim="([0-9a-f-]{36})"/g)].map((m) => m[1]!) };
  };

  it('refuses a claim on an organisation eHerkenning proved: no approval, a refusal beside it, rejection with a reason', async () => {
    const proven = await givenProvider(db(), {});
    const eherkenning = await givenUser(db(), 'provider', { providerId: proven.id });
    await db().query(
      `UPDATE users SET oidc_issuer = 'https://broker.test', oidc_subject = $2 WHERE id = $1`,
      [eherkenning.user.id, `eh-${proven.kvkNumber}`],
    );
    await claimConfirmed(proven.kvkNumber);
    const { page, ids } = await claimsOn(proven.kvkNumber);
    const claimId = ids[0]!;
    assert.match(page.text, /data-claim-blocked="eherkenning"/);
    assert.match(page.text, /bewezen met eHerkenning/);
    assert.ok(!page.text.includes(`id="approve-${claimId}"`), 'no approve button');

    const tried = await reviewer
      .post(`/beoordeling/claims/${claimId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve', confirm: '1' });
    assert.equal(tried.status, 400);
    assert.match(tried.text, /data-error="decision"/);
    assert.match(tried.text, /de claimant moet inloggen met eHerkenning/);
    assert.equal(
      (await db().getRepository(User).findOneByOrFail({ id: eherkenning.user.id })).disabledAt,
      null,
    );

    const rejected = await reviewer
      .post(`/beoordeling/claims/${claimId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'reject', reason: 'Log in met eHerkenning.' });
    assert.equal(rejected.status, 303);
    assert.match((await reviewer.get(rejected.headers.location!)).text, /De claim is afgewezen/);
  });

  it('refuses a claim on an organisation whose identity eHerkenning confirmed, even with its accounts disabled', async () => {
    const proven = await givenProvider(db(), {});
    await db().query(`UPDATE providers SET identity_confirmed_how = 'eherkenning' WHERE id = $1`, [
      proven.id,
    ]);
    await claimConfirmed(proven.kvkNumber);
    const { page, ids } = await claimsOn(proven.kvkNumber);
    const tried = await reviewer
      .post(`/beoordeling/claims/${ids[0]}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve' });
    assert.equal(tried.status, 400);
    assert.match(tried.text, /data-error="decision"/);
  });

  it('confirms first on a verified organisation, then shows the other open claim as handed over, asking the same confirmation', async () => {
    const verified = await givenProvider(db(), {});
    const owner = await givenUser(db(), 'provider', { providerId: verified.id });
    const first = await claimConfirmed(verified.kvkNumber);
    await claimConfirmed(verified.kvkNumber);
    const { page, ids } = await claimsOn(verified.kvkNumber);
    assert.equal(ids.length, 2);
    const firstId = ids[0]!;

    const asked = await reviewer
      .post(`/beoordeling/claims/${firstId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve' });
    assert.equal(asked.status, 200);
    assert.match(asked.text, /data-verified="yes"/);
    assert.match(asked.text, /Deze organisatie is geverifieerd: identiteit bevestigd door een beoordelaar/);
    assert.match(asked.text, /data-status="/);
    assert.ok(asked.text.includes(owner.email), 'the owner is listed as losing access');

    // Back: nothing happened.
    const back = await reviewer
      .post(`/beoordeling/claims/${firstId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(asked.text), decision: 'approve', edit: '1' });
    assert.equal(back.status, 303);
    assert.equal((await db().getRepository(User).findOneByOrFail({ id: owner.user.id })).disabledAt, null);

    const done = await reviewer
      .post(`/beoordeling/claims/${firstId}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(asked.text), decision: 'approve', confirm: '1' });
    assert.equal(done.status, 303);
    assert.ok((await db().getRepository(User).findOneByOrFail({ id: owner.user.id })).disabledAt);

    const after = await claimsOn(verified.kvkNumber);
    assert.deepEqual(after.ids, [ids[1]]);
    assert.match(after.page.text, /data-handed-over/);
    assert.ok(after.page.text.includes(first.email), 'the note names to whom it was handed over');
    await assertValidHtml(after.page.text, 'the provider page after a hand-over');
    const again = await reviewer
      .post(`/beoordeling/claims/${ids[1]}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(after.page.text), decision: 'approve' });
    assert.equal(again.status, 200);
    assert.match(again.text, /data-handed-over/);
    assert.match(again.text, /data-verified="yes"/);
    assert.ok(again.text.includes(first.email), 'the first claimant is listed as losing access');
  });

  it('warns when the extract was also sent for another KvK number', async () => {
    const extract = { bytes: simplePdf(`Uittreksel ${uniqueKvk()}`), name: 'uittreksel.pdf' };
    const one = await givenProvider(db(), {}, { unconfirmed: true });
    const other = await givenProvider(db(), {}, { unconfirmed: true });
    await claimConfirmed(one.kvkNumber, extract);
    await claimConfirmed(other.kvkNumber, extract);
    const { page, ids } = await claimsOn(one.kvkNumber);
    assert.match(page.text, /data-extract-reused/);
    assert.ok(page.text.includes(`ook ingediend voor KvK ${other.kvkNumber}`));
    // And again on the page that asks to confirm the hand-over, the decisive step (second outside try).
    const asked = await reviewer
      .post(`/beoordeling/claims/${ids[0]}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve' });
    assert.equal(asked.status, 200);
    assert.match(asked.text, /data-extract-reused/);
    assert.ok(asked.text.includes(`ook ingediend voor KvK ${other.kvkNumber}`));
    const fresh = await givenProvider(db(), {}, { unconfirmed: true });
    await claimConfirmed(fresh.kvkNumber, { bytes: simplePdf(`Uniek ${uniqueKvk()}`), name: 'u.pdf' });
    assert.doesNotMatch((await claimsOn(fresh.kvkNumber)).page.text, /data-extract-reused/);
  });

  it('shows the refusal of a claim whose address has an account next to the approve button, keeping the reason field empty of it', async () => {
    const squatted = await givenProvider(db(), {}, { unconfirmed: true });
    const { email } = await claimConfirmed(squatted.kvkNumber);
    await givenUser(db(), 'reviewer').then((u) =>
      db().query(`UPDATE organisation_claims SET email = $2 WHERE email = $1`, [email, u.email]),
    );
    const { page, ids } = await claimsOn(squatted.kvkNumber);
    const res = await reviewer
      .post(`/beoordeling/claims/${ids[0]}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve', confirm: '1' });
    assert.equal(res.status, 400);
    const error = res.text.indexOf('data-error="decision"');
    assert.ok(error > 0, 'the message is shown');
    assert.ok(error < res.text.indexOf(`id="approve-${ids[0]}"`), 'before the approve button');
    assert.ok(error > res.text.indexOf(`data-claim="${ids[0]}"`), 'inside its claim');
    assert.doesNotMatch(res.text, /data-error="reason"/);
    assert.match(res.text, new RegExp(`href="#approve-${ids[0]}"`));
  });

  it('lists every account of the organisation on the staff page: how it came, its state, its audit events', async () => {
    const squatted = await givenProvider(db(), {}, { unconfirmed: true });
    const squatter = await givenUser(db(), 'provider', { providerId: squatted.id, name: 'Kraak Zetter' });
    await signedIn(context.app, squatter);
    const { email } = await claimConfirmed(squatted.kvkNumber);
    const { page, ids } = await claimsOn(squatted.kvkNumber);
    const before = page.text;
    assert.match(before, /data-accounts/);
    assert.ok(before.includes('Kraak Zetter'));
    await reviewer
      .post(`/beoordeling/claims/${ids[0]}/besluit`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'approve', confirm: '1' });

    const after = (await claimsOn(squatted.kvkNumber)).page.text;
    await assertValidHtml(after, 'the accounts section');
    const row = (id: string) =>
      new RegExp(`<tr[^>]*data-account="${id}"[^>]*>[\\s\\S]*?</tr>`).exec(after)?.[0] ?? '';
    const squatterRow = row(squatter.user.id);
    assert.match(squatterRow, /data-disabled/);
    assert.match(squatterRow, /door overdracht van de organisatie/);
    assert.match(squatterRow, /data-events="[1-9]/, 'its login is counted');
    assert.match(
      squatterRow,
      /alleen voor auditors en beheerders/,
      'a reviewer is told the log is not theirs',
    );
    const claimant = await db().getRepository(User).findOneByOrFail({ email });
    assert.match(row(claimant.id), /data-origin="claim"/);
    assert.ok(after.includes(email));

    const auditor = await signedIn(context.app, await givenUser(db(), 'auditor'));
    const seen = (await auditor.get(`/beoordeling/hostingproviders/${squatted.kvkNumber}`)).text;
    assert.ok(
      seen.includes(`/beheer/auditlog?door&#x3D;provider%3A${squatter.user.id}`),
      'an auditor gets the link',
    );
    const log = await auditor.get(`/beheer/auditlog?door=provider%3A${squatter.user.id}`);
    assert.equal(log.status, 200);
  });
});

import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import { Application } from '../../src/application/application.entity';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { Provider } from '../../src/provider/provider.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { toLocalDate } from '../../src/shared/time';
import { addMonths } from '../../src/shared/time';
import { StatusEvent } from '../../src/status/status-event.entity';
import type { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { confirmationLinkTo } from '../helpers/outbox';
import { type Agent, csrfFrom, signedIn, submitForm, tokenFor } from '../helpers/session';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, registrationFields, type TestUser } from '../factories/user.factory';
import request from 'supertest';
import { must } from '../../src/shared/must';

const PDF = simplePdf('Ondertekende gedragscode');

async function publicStatus(app: Express, kvkNumber: string): Promise<string> {
  const res = await request(app).get(`/hostingproviders/${kvkNumber}`).expect(200);
  return must(/data-status="([a-z_]+)"/.exec(res.text)?.[1], 'the page shows a status');
}

async function applicationState(dataSource: DataSource, id: string): Promise<string> {
  return (await dataSource.getRepository(Application).findOneByOrFail({ id })).state;
}

async function upload(agent: Agent, id: string, kind: string, content: Buffer, filename = `${kind}.pdf`) {
  const token = await tokenFor(agent, `/aanvragen/${id}`);
  return agent
    .post(`/aanvragen/${id}/bewijsstukken`)
    .field('_csrf', token)
    .field('kind', kind)
    .attach('file', content, filename);
}

async function versionOf(dataSource: DataSource, id: string): Promise<string> {
  return String((await dataSource.getRepository(Application).findOneByOrFail({ id })).version);
}

/** A provider user who has filled in an application with both pieces of evidence, ready to submit. */
async function preparedApplication(app: Express, dataSource: DataSource, versionId: string, who: TestUser) {
  const agent = await signedIn(app, who);
  const start = await submitForm(agent, '/account', '/aanvragen', {});
  assert.equal(start.status, 303, start.text);
  const id = must(start.headers.location?.split('/').pop(), 'the start redirects to the application');
  const saved = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}`, {
    version: await versionOf(dataSource, id),
    codeOfConductVersionId: versionId,
    codeSignedOn: '2026-01-15',
    signatoryName: 'Jan Journey',
    signatoryRole: 'Directeur',
    aanSince: '2025-06-01',
    aanContactName: 'Anna AAN',
    aanContactEmail: 'aan@journey.example',
  });
  assert.equal(saved.status, 303, saved.text);
  assert.equal((await upload(agent, id, 'code_of_conduct', PDF)).status, 303);
  assert.equal((await upload(agent, id, 'aan_confirmation', PDF)).status, 303);
  return { agent, id };
}

async function submit(agent: Agent, dataSource: DataSource, id: string) {
  return submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/indienen`, {
    version: await versionOf(dataSource, id),
  });
}

/** A decision as confirmed on its confirmation page (confirm=1; review-confirmation.test.ts covers the page). */
async function decideOn(agent: Agent, dataSource: DataSource, id: string, action: string, message = '') {
  return submitForm(agent, `/beoordeling/aanvragen/${id}`, `/beoordeling/aanvragen/${id}/besluit`, {
    action,
    message,
    version: await versionOf(dataSource, id),
    confirm: '1',
  });
}

describe('providers apply, reviewers decide', () => {
  let db: TestDatabase;
  let app: Express;
  let versionId: string;
  let version: CodeOfConductVersion;
  let reviewer: TestUser;

  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    version = await givenCodeVersion(db.dataSource, { publishedAt: new Date('2025-01-01T00:00:00Z') });
    versionId = version.id;
    reviewer = await givenUser(db.dataSource, 'reviewer');
  });
  after(() => db.drop());

  it('register → apply → upload → submit → changes requested → resubmit → approve → verantwoord on the public page', async () => {
    const agent = request.agent(app);
    const fields = registrationFields();
    const registered = await submitForm(agent, '/registreren', '/registreren', fields);
    assert.equal(registered.status, 303, registered.text);
    // No session yet: the address is confirmed first, through the link in the receipt.
    assert.equal(registered.headers.location, '/e-mailadres-bevestigen');
    const confirmLink = await confirmationLinkTo(db.dataSource, fields.email);
    assert.match((await agent.get(confirmLink).expect(200)).text, /E-mailadres bevestigen/);
    assert.equal((await submitForm(agent, confirmLink, confirmLink, {})).status, 200);
    const provider = await db.dataSource
      .getRepository(Provider)
      .findOneByOrFail({ kvkNumber: fields.kvkNumber });
    assert.equal(provider.postcode, '1234 AB');
    assert.deepEqual(provider.tradeNames, ['Journey', 'JH']);
    assert.deepEqual(provider.asNumbers, [64500, 64501]);
    // Nobody has confirmed who registered: not public yet.
    await request(app).get(`/hostingproviders/${fields.kvkNumber}`).expect(404);

    const who: TestUser = { user: undefined as never, email: fields.email, password: fields.password };
    const { agent: providerAgent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    const page = await providerAgent.get(`/aanvragen/${id}`).expect(200);
    await assertValidHtml(page.text, 'application page');
    assert.match(page.text, /code_of_conduct\.pdf/);
    assert.match(page.text, /[0-9a-f]{64}/, 'the evidence hash is shown');

    assert.equal((await submit(providerAgent, db.dataSource, id)).status, 303);
    assert.equal(await applicationState(db.dataSource, id), 'submitted');
    await request(app).get(`/hostingproviders/${fields.kvkNumber}`).expect(404);

    const reviewerAgent = await signedIn(app, reviewer);
    const queue = await reviewerAgent.get('/beoordeling').expect(200);
    assert.ok(queue.text.includes(id), 'the application is in the queue');
    await assertValidHtml(queue.text, 'review queue');
    const reviewPage = await reviewerAgent.get(`/beoordeling/aanvragen/${id}`).expect(200);
    await assertValidHtml(reviewPage.text, 'review page');
    // The reviewer is told before deciding that an approval's or rejection's explanation is public.
    assert.match(reviewPage.text, /staat deze toelichting openbaar in de geschiedenis/);

    assert.equal(
      (
        await decideOn(
          reviewerAgent,
          db.dataSource,
          id,
          'request_changes',
          'Graag de AAN-bevestiging van dit jaar.',
        )
      ).status,
      303,
    );
    assert.equal(await applicationState(db.dataSource, id), 'changes_requested');
    const providerView = await providerAgent.get(`/aanvragen/${id}`).expect(200);
    assert.match(providerView.text, /Graag de AAN-bevestiging van dit jaar\./);

    assert.equal((await upload(providerAgent, id, 'aan_confirmation', simplePdf('AAN 2026'))).status, 303);
    assert.equal((await submit(providerAgent, db.dataSource, id)).status, 303);
    assert.equal(await applicationState(db.dataSource, id), 'submitted');

    await request(app).get(`/hostingproviders/${fields.kvkNumber}`).expect(404);
    assert.equal((await decideOn(reviewerAgent, db.dataSource, id, 'approve')).status, 303);
    assert.equal(await applicationState(db.dataSource, id), 'approved');
    // The decision confirmed who the organisation is, in the same transaction: now it is public.
    assert.equal(await publicStatus(app, fields.kvkNumber), 'verantwoord');

    const approval = await db.dataSource
      .getRepository(StatusEvent)
      .findOneByOrFail({ providerId: provider.id, kind: 'listing_approved' });
    assert.equal(approval.applicationId, id);
    assert.equal(approval.codeOfConductVersionId, versionId);
    assert.equal(approval.validUntil!.toISOString(), addMonths(approval.effectiveAt, 12).toISOString());

    // An auditor goes from the status change to the decision and the evidence behind it in one click.
    const auditor = await signedIn(app, await givenUser(db.dataSource, 'auditor'));
    const providerPage = await auditor.get(`/beoordeling/hostingproviders/${fields.kvkNumber}`);
    const link = new RegExp(
      `data-event-id="${approval.id}"(?:(?!</tr>)[\\s\\S])*href="(/beoordeling/aanvragen/${id})"`,
    ).exec(providerPage.text);
    assert.ok(link, 'the approval links to its application');
    const applicationPage = await auditor.get(must(link[1], 'the pattern has a group'));
    assert.equal(applicationPage.status, 200);
    assert.match(applicationPage.text, /aan_confirmation\.pdf/);
    assert.match(applicationPage.text, /data-state="approved"/);

    const mails = await db.dataSource
      .getRepository(OutboxMail)
      .find({ where: { recipient: fields.email }, order: { id: 'ASC' } });
    assert.deepEqual(
      mails.map((m) => m.subject.split(' / ')[0]?.replace(fields.legalName, 'X')),
      [
        'Bevestig uw e-mailadres om de registratie af te ronden',
        'Registratie van X ontvangen',
        'Aanvraag van X ontvangen',
        'Besluit over de aanvraag van X',
        'Aanvraag van X ontvangen',
        'Besluit over de aanvraag van X',
      ],
      'the link that confirms the address, a receipt of the registration and of each submission; the request for changes; the approval',
    );
    assert.ok(mails.some((m) => /goedgekeurd/.test(m.body)));
    const verified = await verifyAuditChain(db.dataSource);
    assert.equal(verified.broken, undefined);
    assert.equal(verified.checked, await db.dataSource.getRepository(AuditEvent).count());
  });

  it('records an audit event for every change of the journey', async () => {
    const actions = (await db.dataSource.getRepository(AuditEvent).find()).map((e) => e.action);
    for (const action of [
      'provider.created',
      'user.created',
      'application.created',
      'application.saved',
      'evidence.uploaded',
      'application.submitted',
      'status.application_submitted',
      'application.request_changes',
      'application.approve',
      'status.listing_approved',
      'provider.identity_confirmed',
      'user.email_confirmed',
      'user.logged_in',
    ]) {
      assert.ok(actions.includes(action), action);
    }
  });

  it('reject: the provider is told why and the public page says rejected', async () => {
    // A rejection is a decision too: it confirms the organisation's identity and makes it public.
    const provider = await givenProvider(db.dataSource, {}, { unconfirmed: true });
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const { agent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    await submit(agent, db.dataSource, id);
    const reviewerAgent = await signedIn(app, reviewer);
    const noReason = await decideOn(reviewerAgent, db.dataSource, id, 'reject');
    assert.equal(noReason.status, 400, 'a rejection needs a reason');
    assert.match(noReason.text, /geef een reden op/);
    assert.equal(
      (await decideOn(reviewerAgent, db.dataSource, id, 'reject', 'Geen geldige ondertekening.')).status,
      303,
    );
    assert.equal(await publicStatus(app, provider.kvkNumber), 'rejected');
    const mails = await db.dataSource.getRepository(OutboxMail).findBy({ recipient: who.email });
    const decision = mails.find((m) => m.subject.startsWith('Besluit'));
    assert.match(must(decision, 'the decision mail').body, /Geen geldige ondertekening\./);
  });

  it('withdraw: before a decision the provider can withdraw, and the status is not listed again', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const { agent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    await submit(agent, db.dataSource, id);
    const res = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/intrekken`, {
      version: await versionOf(db.dataSource, id),
    });
    assert.equal(res.status, 303);
    assert.equal(await applicationState(db.dataSource, id), 'withdrawn');
    assert.equal(await publicStatus(app, provider.kvkNumber), 'not_listed');
    const page = await agent.get(`/aanvragen/${id}`).expect(200);
    assert.doesNotMatch(page.text, /\/intrekken"/, 'a withdrawn application shows no withdraw button');
    const again = await agent
      .post(`/aanvragen/${id}/intrekken`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), version: await versionOf(db.dataSource, id) });
    assert.equal(again.status, 409);
    assert.match(again.text, /kan niet meer worden ingetrokken/);
  });

  it('suspend with an end date, lift, and revoke: each changes the public status at once', async () => {
    const provider = await givenProvider(db.dataSource);
    await givenApproval(db.dataSource, provider, version, new Date(Date.now() - 30 * 86400000));
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const reviewerAgent = await signedIn(app, reviewer);
    const page = `/beoordeling/hostingproviders/${provider.kvkNumber}`;
    const action = `${page}/status`;
    assert.equal(await publicStatus(app, provider.kvkNumber), 'verantwoord');

    const future = toLocalDate(new Date(Date.now() + 20 * 86400000));
    assert.equal(
      (
        await submitForm(reviewerAgent, page, action, {
          action: 'suspend',
          reason: 'Onderzoek',
          until: future,
          confirm: '1',
        })
      ).status,
      303,
    );
    assert.equal(await publicStatus(app, provider.kvkNumber), 'suspended');
    const publicPage = await request(app).get(`/hostingproviders/${provider.kvkNumber}`);
    assert.match(publicPage.text, /Onderzoek/);
    assert.match(publicPage.text, /Gepland tot/);

    assert.equal(
      (await submitForm(reviewerAgent, page, action, { action: 'lift', reason: '', until: '' })).status,
      303,
    );
    assert.equal(await publicStatus(app, provider.kvkNumber), 'verantwoord');

    const noReason = await submitForm(reviewerAgent, page, action, {
      action: 'revoke',
      reason: ' ',
      until: '',
    });
    assert.equal(noReason.status, 400);
    assert.equal(
      (
        await submitForm(reviewerAgent, page, action, {
          action: 'revoke',
          reason: 'Malafide reseller',
          until: '',
          confirm: '1',
        })
      ).status,
      303,
    );
    assert.equal(await publicStatus(app, provider.kvkNumber), 'revoked');

    const kinds = (
      await db.dataSource
        .getRepository(StatusEvent)
        .find({ where: { providerId: provider.id }, order: { id: 'ASC' } })
    ).map((e) => e.kind);
    assert.deepEqual(kinds, ['listing_approved', 'suspended', 'suspension_lifted', 'revoked']);
    assert.equal((await db.dataSource.getRepository(OutboxMail).findBy({ recipient: who.email })).length, 3);
  });

  it('renewal: possible from 90 days before the end, and approval extends the listing without a gap', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    // Approved 10 months ago: the listing ends in 2 months, inside the renewal window.
    const approvedAt = addMonths(new Date(), -10);
    await givenApproval(db.dataSource, provider, version, approvedAt);
    const { agent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    assert.equal((await db.dataSource.getRepository(Application).findOneByOrFail({ id })).kind, 'renewal');
    await submit(agent, db.dataSource, id);
    const reviewerAgent = await signedIn(app, reviewer);
    await decideOn(reviewerAgent, db.dataSource, id, 'approve');
    const approvals = await db.dataSource
      .getRepository(StatusEvent)
      .find({ where: { providerId: provider.id, kind: 'listing_approved' }, order: { id: 'ASC' } });
    assert.equal(approvals.length, 2);
    const [first, renewal] = approvals;
    assert.ok(first && renewal);
    assert.equal(renewal.validUntil!.toISOString(), addMonths(first.validUntil!, 12).toISOString());
    assert.equal(await publicStatus(app, provider.kvkNumber), 'verantwoord');
  });

  it('renewal is refused earlier than 90 days before the end', async () => {
    const provider = await givenProvider(db.dataSource);
    await givenApproval(db.dataSource, provider, version, addMonths(new Date(), -2));
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const agent = await signedIn(app, who);
    const account = await agent.get('/account').expect(200);
    assert.match(account.text, /Verlengen kan vanaf/);
    const res = await agent
      .post('/aanvragen')
      .type('form')
      .send({ _csrf: csrfFrom(account.text) });
    assert.equal(res.status, 409);
    assert.match(res.text, /Verlengen kan pas 90 dagen/);
  });

  it('two reviewers deciding the same application at once: exactly one decision is stored, the other hears of the conflict', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const { agent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    await submit(agent, db.dataSource, id);
    const other = await givenUser(db.dataSource, 'reviewer');
    const [a, b] = await Promise.all([signedIn(app, reviewer), signedIn(app, other)]);
    const version = await versionOf(db.dataSource, id);
    const [tokenA, tokenB] = await Promise.all([
      tokenFor(a, `/beoordeling/aanvragen/${id}`),
      tokenFor(b, `/beoordeling/aanvragen/${id}`),
    ]);
    const results = await Promise.all([
      a
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ _csrf: tokenA, action: 'approve', message: '', version, confirm: '1' }),
      b
        .post(`/beoordeling/aanvragen/${id}/besluit`)
        .type('form')
        .send({ _csrf: tokenB, action: 'reject', message: 'Nee', version, confirm: '1' }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [303, 409]);
    const loser = results.find((r) => r.status === 409)!;
    // Neutral: it may have been someone else, or the same form sent twice; a link back to the application.
    assert.match(loser.text, /Intussen gewijzigd/);
    assert.doesNotMatch(loser.text, /Iemand anders heeft/);
    // The application's page again, on its new state, with what the loser typed.
    assert.match(loser.text, /data-conflict>/);
    assert.match(loser.text, /De stand is nu: /);
    if (loser === results[1]) assert.match(loser.text, />Nee<\/textarea>/);
    const decisions = await db.dataSource
      .getRepository(StatusEvent)
      .countBy({ applicationId: id, kind: 'listing_approved' });
    const rejections = await db.dataSource
      .getRepository(StatusEvent)
      .countBy({ applicationId: id, kind: 'application_rejected' });
    assert.equal(decisions + rejections, 1);
  });

  it('the same decision sent twice says it was already taken, by whom and when ("door u"), linking back to the application', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const { agent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    await submit(agent, db.dataSource, id);
    const reviewerAgent = await signedIn(app, reviewer);
    const token = await tokenFor(reviewerAgent, `/beoordeling/aanvragen/${id}`);
    const form = {
      _csrf: token,
      action: 'approve',
      message: '',
      version: await versionOf(db.dataSource, id),
      confirm: '1',
    };
    const post = () => reviewerAgent.post(`/beoordeling/aanvragen/${id}/besluit`).type('form').send(form);
    assert.equal((await post()).status, 303);
    // The back button: the form as it was, with a token of the page shown again.
    form._csrf = await tokenFor(reviewerAgent, `/beoordeling/aanvragen/${id}`);
    const again = await post();
    assert.equal(again.status, 409, again.text.replace(/[\s\S]*<main/, '').slice(0, 600));
    await assertValidHtml(again.text, 'decision sent twice');
    assert.match(again.text, /Deze aanvraag is al goedgekeurd, door u op \d+ \w+ \d{4}/);
    assert.doesNotMatch(again.text, /iemand anders/i);
    // The application's page again, saying what happened meanwhile, by whom.
    assert.match(again.text, /data-conflict>/);
    assert.match(
      again.text,
      new RegExp(
        `data-conflict-meanwhile>Intussen: [^<]*, door ${reviewer.user.name} \\(${reviewer.email}\\) op`,
      ),
    );
    // Another reviewer with the same stale form hears who took the decision.
    const other = await givenUser(db.dataSource, 'reviewer', { name: 'Bea Beoordelaar' });
    const otherAgent = await signedIn(app, other);
    const otherToken = await tokenFor(otherAgent, `/beoordeling/aanvragen/${id}`);
    const stale = await otherAgent
      .post(`/beoordeling/aanvragen/${id}/besluit`)
      .type('form')
      .send({ ...form, _csrf: otherToken });
    assert.equal(stale.status, 409, stale.text.replace(/[\s\S]*<main/, '').slice(0, 600));
    assert.match(stale.text, new RegExp(`al goedgekeurd, door ${reviewer.user.name} op`));
    assert.doesNotMatch(stale.text, /door u /);
    assert.equal(
      await db.dataSource.getRepository(StatusEvent).countBy({ applicationId: id, kind: 'listing_approved' }),
      1,
    );
  });

  it('a reviewer never decides on an application of an organisation they belong to', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const { agent, id } = await preparedApplication(app, db.dataSource, versionId, who);
    await submit(agent, db.dataSource, id);
    const insider = await givenUser(db.dataSource, 'reviewer', { providerId: provider.id });
    const insiderAgent = await signedIn(app, insider);
    const res = await decideOn(insiderAgent, db.dataSource, id, 'approve');
    assert.equal(res.status, 403);
    assert.match(res.text, /U beslist niet over een organisatie waartoe u zelf behoort/);
    assert.equal(await applicationState(db.dataSource, id), 'submitted');
  });

  it('refuses an HTML file renamed .pdf and an 11 MB PDF with a clear message, storing nothing', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const agent = await signedIn(app, who);
    const start = await submitForm(agent, '/account', '/aanvragen', {});
    const id = must(start.headers.location?.split('/').pop(), 'the start redirects to the application');

    const html = await upload(
      agent,
      id,
      'code_of_conduct',
      Buffer.from('<!DOCTYPE html><html><body>nep</body></html>'),
      'gedragscode.pdf',
    );
    assert.equal(html.status, 400);
    assert.match(html.text, /dit bestand is geen pdf/);
    await assertValidHtml(html.text, 'application page with an upload error');

    const big = Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024, 0x20)]);
    const tooBig = await upload(agent, id, 'code_of_conduct', big, 'groot.pdf');
    assert.equal(tooBig.status, 400);
    assert.match(tooBig.text, /het bestand is groter dan 10 MB/);

    const count = await db.dataSource.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM evidence WHERE application_id = $1',
      [id],
    );
    assert.equal(must(count[0], 'a count gives one row').n, 0);
  });

  it('refuses to submit without the evidence, naming what is missing', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const agent = await signedIn(app, who);
    const start = await submitForm(agent, '/account', '/aanvragen', {});
    const id = must(start.headers.location?.split('/').pop(), 'the start redirects to the application');
    const res = await submit(agent, db.dataSource, id);
    assert.equal(res.status, 400);
    assert.match(res.text, /vul eerst alle gegevens in/);
    assert.match(res.text, /voeg de ondertekende gedragscode toe/);
    assert.equal(await applicationState(db.dataSource, id), 'draft');
  });

  it('re-shows the application form with the errors and what was typed', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const agent = await signedIn(app, who);
    const start = await submitForm(agent, '/account', '/aanvragen', {});
    const id = must(start.headers.location?.split('/').pop(), 'the start redirects to the application');
    const res = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}`, {
      version: await versionOf(db.dataSource, id),
      codeOfConductVersionId: versionId,
      codeSignedOn: '2099-01-01',
      signatoryName: 'Piet <b>Proef</b>',
      signatoryRole: '',
      aanSince: '2025-02-30',
      aanContactName: 'X',
      aanContactEmail: 'geen-adres',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /Er is iets niet goed ingevuld/);
    assert.match(res.text, /href="#field-codeSignedOn"/);
    assert.match(res.text, /value="Piet &lt;b&gt;Proef&lt;\/b&gt;"/);
    assert.match(res.text, /value="geen-adres"/);
    assert.match(res.text, /aria-invalid="true"/);
    await assertValidHtml(res.text, 'application form with errors');
    const saved = await db.dataSource.getRepository(Application).findOneByOrFail({ id });
    assert.equal(saved.signatoryName, null, 'nothing of a rejected form is stored');
  });
});

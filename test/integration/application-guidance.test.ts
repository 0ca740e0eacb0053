import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import { Application } from '../../src/application/application.entity';
import { Evidence } from '../../src/application/evidence.entity';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { User } from '../../src/identity/user.entity';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { must } from '../../src/shared/must';
import { addDays, startOfLocalDay, toLocalDate } from '../../src/shared/time';
import { givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testApp } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm, tokenFor } from '../helpers/session';

const PDF = simplePdf('Bewijsstuk');

/** The details of a complete application, as a provider types them. */
const details = (versionId: string) => ({
  codeOfConductVersionId: versionId,
  codeSignedOn: '2026-01-15',
  signatoryName: 'Saskia Signatuur',
  signatoryRole: 'Directeur',
  aanSince: '2025-06-01',
  aanContactName: 'Anna AAN',
  aanContactEmail: 'aan@gids.example',
});

async function versionOf(dataSource: DataSource, id: string): Promise<string> {
  return String((await dataSource.getRepository(Application).findOneByOrFail({ id })).version);
}

/**
 * Presses a button of the application page's one form: a multipart post to `action` with the
 * token of the page, the application's version, `fields` and, when given, a file.
 */
async function pressButton(
  agent: Agent,
  dataSource: DataSource,
  id: string,
  action: string,
  fields: Record<string, string>,
  file?: { content: Buffer; name: string; kind: string },
) {
  const token = await tokenFor(agent, `/aanvragen/${id}`);
  let req = agent
    .post(action)
    .field('_csrf', token)
    .field('version', await versionOf(dataSource, id));
  for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
  if (file) req = req.field('kind', file.kind).attach('file', file.content, file.name);
  return req;
}

async function started(app: Express, who: TestUser) {
  const agent = await signedIn(app, who);
  const start = await submitForm(agent, '/account', '/aanvragen', {});
  assert.equal(start.status, 303, start.text);
  return {
    agent,
    id: must(start.headers.location?.split('/').pop(), 'the start redirects to the application'),
  };
}

describe('the application, guided and never losing what was typed', () => {
  let db: TestDatabase;
  let app: Express;
  let versionId: string;
  let reviewer: TestUser;

  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
    versionId = (await givenCodeVersion(db.dataSource, { publishedAt: new Date('2025-01-01T00:00:00Z') })).id;
    reviewer = await givenUser(db.dataSource, 'reviewer');
  });
  after(() => db.drop());

  async function newApplicant(legalName?: string) {
    const provider = await givenProvider(db.dataSource, legalName ? { legalName } : {});
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    return { provider, who, ...(await started(app, who)) };
  }

  /** An application with its details and both required pieces of evidence. */
  async function readyApplication(legalName?: string) {
    const applicant = await newApplicant(legalName);
    const { agent, id } = applicant;
    const first = await pressButton(
      agent,
      db.dataSource,
      id,
      `/aanvragen/${id}/bewijsstukken`,
      details(versionId),
      {
        content: PDF,
        name: 'gedragscode.pdf',
        kind: 'code_of_conduct',
      },
    );
    assert.equal(first.status, 303, first.text);
    const second = await pressButton(
      agent,
      db.dataSource,
      id,
      `/aanvragen/${id}/bewijsstukken`,
      details(versionId),
      {
        content: PDF,
        name: 'aan.pdf',
        kind: 'aan_confirmation',
      },
    );
    assert.equal(second.status, 303, second.text);
    return applicant;
  }

  async function submitted(legalName?: string) {
    const applicant = await readyApplication(legalName);
    const res = await submitForm(
      applicant.agent,
      `/aanvragen/${applicant.id}/controleren`,
      `/aanvragen/${applicant.id}/indienen`,
      {
        version: await versionOf(db.dataSource, applicant.id),
      },
    );
    assert.equal(res.status, 303, res.text);
    return applicant;
  }

  async function decide(id: string, action: string, message: string) {
    const agent = await signedIn(app, reviewer);
    const res = await submitForm(
      agent,
      `/beoordeling/aanvragen/${id}`,
      `/beoordeling/aanvragen/${id}/besluit`,
      {
        action,
        message,
        version: await versionOf(db.dataSource, id),
        confirm: '1',
      },
    );
    assert.equal(res.status, 303, res.text);
    return agent;
  }

  describe('POST /aanvragen/:id/bewijsstukken (the upload button of the one form)', () => {
    it('saves the typed details with the upload when they pass', async () => {
      const { agent, id } = await newApplicant();
      const res = await pressButton(
        agent,
        db.dataSource,
        id,
        `/aanvragen/${id}/bewijsstukken`,
        details(versionId),
        {
          content: PDF,
          name: 'gedragscode.pdf',
          kind: 'code_of_conduct',
        },
      );
      assert.equal(res.status, 303, res.text);
      assert.equal(res.headers.location, `/aanvragen/${id}?toegevoegd=1#bewijsstukken`);
      const stored = await db.dataSource.getRepository(Application).findOneByOrFail({ id });
      assert.equal(stored.signatoryName, 'Saskia Signatuur');
      assert.equal(stored.aanContactEmail, 'aan@gids.example');
      assert.equal(stored.typedDetails, null);
      assert.equal(await db.dataSource.getRepository(Evidence).countBy({ applicationId: id }), 1);
      const page = await agent.get(`/aanvragen/${id}?toegevoegd=1`).expect(200);
      assert.match(page.text, /Het bewijsstuk is toegevoegd\./);
      assert.match(page.text, /value="Saskia Signatuur"/);
    });

    it('keeps details that do not pass as typed, shows them with their errors, and still accepts the file', async () => {
      const { agent, id } = await newApplicant();
      const typed = {
        ...details(versionId),
        aanSince: '2025-02-30',
        aanContactEmail: 'geen-adres',
        signatoryRole: '',
      };
      const res = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}/bewijsstukken`, typed, {
        content: PDF,
        name: 'gedragscode.pdf',
        kind: 'code_of_conduct',
      });
      assert.equal(res.status, 303, res.text);
      assert.equal(
        await db.dataSource.getRepository(Evidence).countBy({ applicationId: id }),
        1,
        'the file is kept',
      );
      const stored = await db.dataSource.getRepository(Application).findOneByOrFail({ id });
      assert.equal(stored.signatoryName, null, 'nothing invalid reaches the application fields');
      assert.equal(stored.typedDetails?.aanContactEmail, 'geen-adres');

      // Away and back: everything typed is still there, with what is wrong with it.
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      assert.match(page.text, /value="Saskia Signatuur"/);
      assert.match(page.text, /value="geen-adres"/);
      assert.match(page.text, /value="2025-02-30"/);
      assert.match(page.text, /href="#field-aanContactEmail"/);
      assert.match(page.text, /href="#field-aanSince"/);
      assert.doesNotMatch(page.text, /href="#field-signatoryRole"/, 'a field left empty is not yet an error');
      await assertValidHtml(page.text, 'application page with kept details');

      // Submitting waits until they are saved correctly.
      const check = await agent.get(`/aanvragen/${id}/controleren`).expect(200);
      assert.match(check.text, /vul eerst alle gegevens in en sla ze op/);

      const saved = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}`, details(versionId));
      assert.equal(saved.status, 303, saved.text);
      const fixed = await db.dataSource.getRepository(Application).findOneByOrFail({ id });
      assert.equal(fixed.typedDetails, null);
      assert.equal(fixed.aanContactEmail, 'aan@gids.example');
      const actions = (await db.dataSource.getRepository(AuditEvent).findBy({ subjectId: id })).map(
        (e) => e.action,
      );
      assert.ok(actions.includes('application.details_kept'));
      assert.ok(actions.includes('application.saved'));
    });

    it('re-shows the page with the typed details and the file error when the file is refused, the details saved', async () => {
      const { agent, id } = await newApplicant();
      const res = await pressButton(
        agent,
        db.dataSource,
        id,
        `/aanvragen/${id}/bewijsstukken`,
        details(versionId),
        {
          content: Buffer.from('<!DOCTYPE html><p>nep</p>'),
          name: 'nep.pdf',
          kind: 'code_of_conduct',
        },
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /dit bestand is geen pdf/);
      assert.match(res.text, /value="Saskia Signatuur"/);
      await assertValidHtml(res.text, 'application page with a refused file');
      const stored = await db.dataSource.getRepository(Application).findOneByOrFail({ id });
      assert.equal(stored.signatoryName, 'Saskia Signatuur');
      assert.equal(await db.dataSource.getRepository(Evidence).countBy({ applicationId: id }), 0);
    });

    it('keeps the letters of a file name: ’s-Hertogenbosch café.pdf, stored and in the download header', async () => {
      const { agent, id } = await newApplicant();
      const name = '’s-Hertogenbosch café.pdf';
      const res = await pressButton(
        agent,
        db.dataSource,
        id,
        `/aanvragen/${id}/bewijsstukken`,
        {},
        {
          content: PDF,
          name,
          kind: 'other',
        },
      );
      assert.equal(res.status, 303, res.text);
      const evidence = await db.dataSource.getRepository(Evidence).findOneByOrFail({ applicationId: id });
      assert.equal(evidence.filename, name);
      const download = await agent.get(`/aanvragen/${id}/bewijsstukken/${evidence.id}`).expect(200);
      assert.match(
        String(download.headers['content-disposition']),
        new RegExp(`filename\\*=UTF-8''${encodeURIComponent(name).replace(/'/g, '%27')}`),
      );
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      assert.ok(page.text.includes('’s-Hertogenbosch café.pdf'), 'the page shows the name with its letters');
    });
  });

  describe('POST /aanvragen/:id (Gegevens opslaan)', () => {
    it('says it saved', async () => {
      const { agent, id } = await newApplicant();
      const res = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}`, details(versionId));
      assert.equal(res.status, 303, res.text);
      const page = await agent.get(must(res.headers.location, 'a redirect')).expect(200);
      assert.match(page.text, /role="status" data-notice="opgeslagen"/);
      assert.match(page.text, /De gegevens zijn opgeslagen\./);
    });

    it('a file chosen before pressing save is added too', async () => {
      const { agent, id } = await newApplicant();
      const res = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}`, details(versionId), {
        content: PDF,
        name: 'aan.pdf',
        kind: 'aan_confirmation',
      });
      assert.equal(res.status, 303, res.text);
      assert.match(must(res.headers.location, 'a redirect'), /toegevoegd=1/);
      assert.equal(await db.dataSource.getRepository(Evidence).countBy({ applicationId: id }), 1);
    });
  });

  describe('POST /aanvragen/:id/bewijsstukken/:evidenceId/verwijderen', () => {
    it('deletes evidence before submission, keeping the typed details, with an audit event', async () => {
      const { agent, id } = await readyApplication();
      const [evidence] = await db.dataSource.getRepository(Evidence).find({ where: { applicationId: id } });
      assert.ok(evidence);
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      assert.match(
        page.text,
        new RegExp(`formaction="/aanvragen/${id}/bewijsstukken/${evidence.id}/verwijderen"`),
      );
      const typed = { ...details(versionId), signatoryName: 'Nieuwe Naam' };
      const res = await pressButton(
        agent,
        db.dataSource,
        id,
        `/aanvragen/${id}/bewijsstukken/${evidence.id}/verwijderen`,
        typed,
      );
      assert.equal(res.status, 303, res.text);
      assert.equal(await db.dataSource.getRepository(Evidence).countBy({ id: evidence.id }), 0);
      assert.equal(
        (await db.dataSource.getRepository(Application).findOneByOrFail({ id })).signatoryName,
        'Nieuwe Naam',
      );
      const audit = await db.dataSource
        .getRepository(AuditEvent)
        .findOneByOrFail({ action: 'evidence.deleted', subjectId: id });
      assert.equal((audit.data as { sha256: string }).sha256, evidence.sha256);
      const after = await agent.get(must(res.headers.location, 'a redirect')).expect(200);
      assert.match(after.text, /Het bewijsstuk is verwijderd\./);
    });

    it('refuses once the evidence was submitted (409), and another organisation gets a 404', async () => {
      const { agent, id } = await submitted();
      const [evidence] = await db.dataSource.getRepository(Evidence).find({ where: { applicationId: id } });
      assert.ok(evidence);
      const token = await tokenFor(agent, `/aanvragen/${id}`);
      const refused = await agent
        .post(`/aanvragen/${id}/bewijsstukken/${evidence.id}/verwijderen`)
        .type('form')
        .send({ _csrf: token });
      assert.equal(refused.status, 409);
      assert.match(refused.text, /kan niet meer worden verwijderd/);
      assert.equal(await db.dataSource.getRepository(Evidence).countBy({ id: evidence.id }), 1);

      // After a request for changes, what was submitted stays; what is added since may go.
      await decide(id, 'request_changes', 'Graag een nieuwere bevestiging.');
      const stillRefused = await agent
        .post(`/aanvragen/${id}/bewijsstukken/${evidence.id}/verwijderen`)
        .type('form')
        .send({ _csrf: await tokenFor(agent, `/aanvragen/${id}`) });
      assert.equal(stillRefused.status, 409);

      const other = await newApplicant();
      const foreign = await other.agent
        .post(`/aanvragen/${id}/bewijsstukken/${evidence.id}/verwijderen`)
        .type('form')
        .send({ _csrf: await tokenFor(other.agent, `/aanvragen/${other.id}`) });
      assert.equal(foreign.status, 404);
      assert.equal(await db.dataSource.getRepository(Evidence).countBy({ id: evidence.id }), 1);
    });
  });

  describe('check, submit, confirmation', () => {
    it('the check page shows every answer and the evidence; submitting there leads to the confirmation', async () => {
      const { agent, id, provider } = await readyApplication();
      const toCheck = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}`, {
        ...details(versionId),
        next: 'check',
      });
      assert.equal(toCheck.status, 303, toCheck.text);
      assert.equal(toCheck.headers.location, `/aanvragen/${id}/controleren`);
      const check = await agent.get(`/aanvragen/${id}/controleren`).expect(200);
      await assertValidHtml(check.text, 'check page');
      assert.match(check.text, /aria-current="step"[^>]*>Controleren|data-step="check" aria-current="step"/);
      assert.ok(check.text.includes(provider.legalName));
      for (const answer of [
        'Saskia Signatuur',
        'Directeur',
        'Anna AAN',
        'aan@gids.example',
        '15 januari 2026',
        '1 juni 2025',
        'gedragscode.pdf',
        'aan.pdf',
      ])
        assert.ok(check.text.includes(answer), `the check page shows ${answer}`);
      assert.doesNotMatch(check.text, /data-problems/);

      const res = await submitForm(agent, `/aanvragen/${id}/controleren`, `/aanvragen/${id}/indienen`, {
        version: await versionOf(db.dataSource, id),
      });
      assert.equal(res.status, 303, res.text);
      assert.equal(res.headers.location, `/aanvragen/${id}/ingediend`);
      const confirmation = await agent.get(`/aanvragen/${id}/ingediend`).expect(200);
      await assertValidHtml(confirmation.text, 'confirmation page');
      assert.match(confirmation.text, /Wat gebeurt er nu\?/);
      assert.match(confirmation.text, /data-step="submitted" aria-current="step"/);
      // No decisions in this register yet: too little to say how long it takes, and the page says so.
      assert.match(confirmation.text, /data-review-working-days="unknown"/);
      assert.match(confirmation.text, /te weinig aanvragen beoordeeld/);
    });

    it('a submit refused on the check page shows the check page again with what is missing', async () => {
      const { agent, id } = await newApplicant();
      const res = await submitForm(agent, `/aanvragen/${id}/controleren`, `/aanvragen/${id}/indienen`, {
        version: await versionOf(db.dataSource, id),
      });
      assert.equal(res.status, 400);
      assert.match(res.text, /Controleer uw aanvraag/);
      assert.match(res.text, /voeg de ondertekende gedragscode toe/);
      await assertValidHtml(res.text, 'check page with errors');
    });
  });

  describe('withdraw asks first', () => {
    it('the button leads to a confirmation page, whose button withdraws', async () => {
      const { agent, id } = await readyApplication();
      const press = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}`, {
        ...details(versionId),
        next: 'withdraw',
      });
      assert.equal(press.status, 303);
      assert.equal(press.headers.location, `/aanvragen/${id}/intrekken`);
      assert.equal(
        (await db.dataSource.getRepository(Application).findOneByOrFail({ id })).state,
        'draft',
        'nothing withdrawn yet',
      );
      const confirm = await agent.get(`/aanvragen/${id}/intrekken`).expect(200);
      await assertValidHtml(confirm.text, 'withdraw confirmation');
      assert.match(confirm.text, /Dit kan niet ongedaan worden gemaakt/);
      assert.match(confirm.text, new RegExp(`<form method="post" action="/aanvragen/${id}/intrekken"`));
      const res = await submitForm(agent, `/aanvragen/${id}/intrekken`, `/aanvragen/${id}/intrekken`, {
        version: await versionOf(db.dataSource, id),
      });
      assert.equal(res.status, 303);
      assert.equal(
        (await db.dataSource.getRepository(Application).findOneByOrFail({ id })).state,
        'withdrawn',
      );
      const page = await agent.get(must(res.headers.location, 'a redirect')).expect(200);
      assert.match(page.text, /De aanvraag is ingetrokken\./);
      // Once withdrawn there is nothing to confirm any more.
      const again = await agent.get(`/aanvragen/${id}/intrekken`);
      assert.equal(again.status, 409);
    });
  });

  describe('POST /aanvragen/:id/berichten (the provider replies)', () => {
    it('a reply shows in the conversation with who wrote it and when, for provider and reviewer, line breaks kept', async () => {
      const { agent, id, who } = await submitted();
      const reviewerAgent = await decide(id, 'request_changes', 'Regel een\nRegel twee');
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      // A message's lines stand as written, no indentation added in front of the second.
      assert.ok(page.text.includes('>Regel een\nRegel twee</p>'), 'the body is rendered without indentation');
      const res = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}/berichten`, {
        ...details(versionId),
        reply: 'De nieuwe bevestiging\nvolgt morgen.',
      });
      assert.equal(res.status, 303, res.text);
      const after = await agent.get(`/aanvragen/${id}`).expect(200);
      await assertValidHtml(after.text, 'application page with a reply');
      const reply = /<li class="register-messages__item" data-kind="provider_reply">([\s\S]*?)<\/li>/.exec(
        after.text,
      );
      assert.ok(reply, 'the reply is in the conversation');
      assert.match(reply[1]!, /Reactie van de aanvrager/);
      assert.ok(reply[1]!.includes(who.user.name), 'with its author');
      assert.match(reply[1]!, /<time datetime="\d{4}-\d{2}-\d{2}T/);
      assert.ok(reply[1]!.includes('>De nieuwe bevestiging\nvolgt morgen.</p>'));
      const reviewPage = await reviewerAgent.get(`/beoordeling/aanvragen/${id}`).expect(200);
      assert.ok(reviewPage.text.includes('De nieuwe bevestiging'), 'the reviewer sees the reply');
      assert.ok(
        await db.dataSource
          .getRepository(AuditEvent)
          .existsBy({ action: 'application.replied', subjectId: id }),
      );
    });

    it('while submitted the reply form stands alone; an empty reply keeps nothing and says why; a draft takes none', async () => {
      const { agent, id } = await submitted();
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      assert.match(page.text, new RegExp(`<form method="post" action="/aanvragen/${id}/berichten"`));
      const empty = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/berichten`, { reply: '' });
      assert.equal(empty.status, 400);
      assert.match(empty.text, /href="#field-reply"/);
      const sent = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/berichten`, {
        reply: 'Een vraag.',
      });
      assert.equal(sent.status, 303);

      const draft = await newApplicant();
      const refused = await submitForm(
        draft.agent,
        `/aanvragen/${draft.id}`,
        `/aanvragen/${draft.id}/berichten`,
        { reply: 'Hallo' },
      );
      assert.equal(refused.status, 409);
      // Nothing changed in the meantime: the state does not allow a message yet, and the page (shown
      // again with the reply kept) says so under that title.
      assert.match(refused.text, /<h[12][^>]*>Dit kan nu niet<\/h[12]>/);
      assert.doesNotMatch(refused.text, /Intussen gewijzigd/);
      assert.match(refused.text, /dat kan vanaf het indienen tot het besluit/);
    });
  });

  describe("a provider's reply reaches a reviewer (issue 13, finding 1)", () => {
    const mailsAbout = (to: string, organisation: string) =>
      db.dataSource
        .getRepository(OutboxMail)
        .find({ where: { recipient: to }, order: { id: 'ASC' } })
        .then((mails) => mails.filter((m) => m.subject.startsWith(`Bericht van ${organisation} `)));
    const queueRow = (html: string, id: string) =>
      must(
        new RegExp(`<tr[^>]*>(?:(?!</tr>)[\\s\\S])*?/beoordeling/aanvragen/${id}"[\\s\\S]*?</tr>`).exec(
          html,
        )?.[0],
        `the queue lists ${id}`,
      );

    it('after changes were requested: the reviewer who asked is mailed at once, and the queue says it waits for their answer', async () => {
      const other = await givenUser(db.dataSource, 'reviewer');
      const { agent, id, provider } = await submitted();
      const reviewerAgent = await decide(id, 'request_changes', 'Graag een nieuwere bevestiging.');
      const before = await reviewerAgent.get('/beoordeling?status=changes_requested').expect(200);
      assert.match(queueRow(before.text, id), /data-waits-for="provider_changes"/);

      const res = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}/berichten`, {
        ...details(versionId),
        reply: 'Welke datum moet de bevestiging hebben?',
      });
      assert.equal(res.status, 303, res.text);

      const [mail, ...more] = await mailsAbout(reviewer.email, provider.legalName);
      assert.ok(mail, 'the reviewer handling it gets a mail');
      assert.equal(more.length, 0);
      assert.ok(mail.body.includes(`/beoordeling/aanvragen/${id}#messages-heading`));
      assert.ok(mail.body.includes(`KvK ${provider.kvkNumber}`));
      assert.match(mail.body, /Het wacht op uw antwoord/);
      assert.match(mail.body, /It is waiting for your answer/);
      assert.equal((await mailsAbout(other.email, provider.legalName)).length, 0, 'only the one handling it');

      const after = await reviewerAgent.get('/beoordeling?status=changes_requested').expect(200);
      await assertValidHtml(after.text, 'queue with a question waiting');
      const row = queueRow(after.text, id);
      assert.match(row, /data-waits-for="reviewer_answer"/);
      assert.match(row, /een antwoord van de beoordelaar op de vraag van de hostingprovider/);
      assert.doesNotMatch(row, /wijzigingen van de hostingprovider/);
    });

    it("while nobody handles it yet (or the one who did is gone), every active reviewer but the organisation's own is mailed", async () => {
      const second = await givenUser(db.dataSource, 'reviewer');
      const { agent, id, provider } = await submitted();
      const own = await givenUser(db.dataSource, 'reviewer', { providerId: provider.id });
      const sent = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/berichten`, {
        reply: 'Is mijn aanvraag compleet?',
      });
      assert.equal(sent.status, 303, sent.text);
      for (const to of [reviewer.email, second.email])
        assert.equal((await mailsAbout(to, provider.legalName)).length, 1, `a mail to ${to}`);
      assert.equal((await mailsAbout(own.email, provider.legalName)).length, 0, 'not its own reviewer');

      // The reviewer who handled it no longer works here: everyone hears of the next question.
      const handler = await givenUser(db.dataSource, 'reviewer');
      await db.dataSource.getRepository(Application).update({ id }, { reviewerId: handler.user.id });
      await db.dataSource.getRepository(User).update({ id: handler.user.id }, { disabledAt: new Date() });
      const again = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/berichten`, {
        reply: 'Nog een vraag.',
      });
      assert.equal(again.status, 303, again.text);
      assert.equal((await mailsAbout(second.email, provider.legalName)).length, 2);
      assert.equal((await mailsAbout(handler.email, provider.legalName)).length, 0);

      // A refused reply mails nobody.
      const empty = await submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}/berichten`, { reply: '' });
      assert.equal(empty.status, 400);
      assert.equal((await mailsAbout(second.email, provider.legalName)).length, 2);
    });
  });

  describe('a button pressed twice (issue 13, finding 2)', () => {
    it('deleting the same evidence twice: the second says it was deleted already, back on the page with what was typed kept', async () => {
      const { agent, id } = await readyApplication();
      const [evidence] = await db.dataSource.getRepository(Evidence).find({ where: { applicationId: id } });
      assert.ok(evidence);
      const deleteUrl = `/aanvragen/${id}/bewijsstukken/${evidence.id}/verwijderen`;
      const first = await pressButton(agent, db.dataSource, id, deleteUrl, details(versionId));
      assert.equal(first.status, 303, first.text);
      const typed = { ...details(versionId), signatoryName: 'Tweede Keer' };
      const second = await pressButton(agent, db.dataSource, id, deleteUrl, typed);
      assert.equal(second.status, 303, second.text);
      assert.equal(second.headers.location, `/aanvragen/${id}?alverwijderd=1#bewijsstukken`);
      const page = await agent.get(must(second.headers.location, 'a redirect')).expect(200);
      await assertValidHtml(page.text, 'application page after a second delete');
      assert.match(page.text, /data-notice="alverwijderd"[^>]*><p[^>]*>Dit bewijsstuk was al verwijderd\./);
      assert.doesNotMatch(page.text, /Het bewijsstuk is verwijderd\./);
      assert.match(page.text, /value="Tweede Keer"/);
      assert.equal(
        (await db.dataSource.getRepository(Application).findOneByOrFail({ id })).signatoryName,
        'Tweede Keer',
      );
      const deletions = await db.dataSource
        .getRepository(AuditEvent)
        .countBy({ action: 'evidence.deleted', subjectId: id });
      assert.equal(deletions, 1, 'deleted once, recorded once');

      // Evidence that never was this application's stays a 404.
      const never = await pressButton(
        agent,
        db.dataSource,
        id,
        `/aanvragen/${id}/bewijsstukken/00000000-0000-0000-0000-000000000000/verwijderen`,
        details(versionId),
      );
      assert.equal(never.status, 404);
      // Nor does another organisation learn that it was deleted.
      const other = await newApplicant();
      const foreign = await other.agent
        .post(deleteUrl)
        .type('form')
        .send({ _csrf: await tokenFor(other.agent, `/aanvragen/${other.id}`) });
      assert.equal(foreign.status, 404);
    });
  });

  describe('the step indicator of a withdrawn application (issue 13, finding 3)', () => {
    const stepItem = (html: string, step: string) =>
      must(new RegExp(`<li[^>]*data-step="${step}"[^>]*>[^<]*</li>`).exec(html)?.[0], `step ${step}`);

    it('a draft withdrawn without evidence marks no step it never reached as done', async () => {
      const { agent, id } = await newApplicant();
      const saved = await pressButton(agent, db.dataSource, id, `/aanvragen/${id}`, details(versionId));
      assert.equal(saved.status, 303, saved.text);
      const withdrawn = await submitForm(agent, `/aanvragen/${id}/intrekken`, `/aanvragen/${id}/intrekken`, {
        version: await versionOf(db.dataSource, id),
      });
      assert.equal(withdrawn.status, 303, withdrawn.text);
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      assert.match(stepItem(page.text, 'details'), /\(klaar\)/);
      assert.match(stepItem(page.text, 'evidence'), /aria-current="step"/);
      assert.doesNotMatch(stepItem(page.text, 'evidence'), /\(klaar\)/);
      assert.doesNotMatch(stepItem(page.text, 'check'), /\(klaar\)/);
      assert.doesNotMatch(stepItem(page.text, 'submitted'), /aria-current/);
    });

    it('an application withdrawn after submitting stands at the last step', async () => {
      const { agent, id } = await submitted();
      const withdrawn = await submitForm(agent, `/aanvragen/${id}/intrekken`, `/aanvragen/${id}/intrekken`, {
        version: await versionOf(db.dataSource, id),
      });
      assert.equal(withdrawn.status, 303, withdrawn.text);
      const page = await agent.get(`/aanvragen/${id}`).expect(200);
      assert.match(stepItem(page.text, 'submitted'), /aria-current="step"/);
      assert.match(stepItem(page.text, 'check'), /\(klaar\)/);
    });
  });

  describe('words (issue 13, finding 4)', () => {
    it('the English withdraw page ends a name ending in a full stop without a second one', async () => {
      const { agent, id } = await newApplicant('Kaasmarkt Compute B.V.');
      const page = await agent.get(`/aanvragen/${id}/intrekken?lang=en`).expect(200);
      assert.ok(page.text.includes('of Kaasmarkt Compute B.V.</p>'), 'one full stop after the name');
      assert.doesNotMatch(page.text, /B\.V\.\./);
    });

    it('/account names the status with the Dutch term once in English, and asks "Wat kunt u nu doen" in Dutch', async () => {
      const { agent } = await newApplicant();
      const dutch = await agent.get('/account?lang=nl').expect(200);
      assert.match(dutch.text, /<h3 id="next-step-heading"[^>]*>Wat kunt u nu doen<\/h3>/);
      const english = await agent.get('/account?lang=en').expect(200);
      await assertValidHtml(english.text, 'account page in English');
      const panel = must(
        /<section aria-labelledby="status-heading"[\s\S]*?<\/section>/.exec(english.text)?.[0],
        'the status panel',
      );
      assert.match(panel, /Not responsible \(niet verantwoord\): not listed/);
      assert.equal(english.text.match(/\(niet verantwoord\)|\(verantwoord\)/g)?.length, 1, 'once');
    });

    it('the English register list names the status with the Dutch term in its introduction', async () => {
      const visitor = await signedIn(app, reviewer);
      const page = await visitor.get('/hostingproviders?lang=en').expect(200);
      assert.match(page.text, /with their status today: responsible \(verantwoord\) or not/);
    });
  });

  describe('POST /aanvragen (a new application after a rejection)', () => {
    it('starts from the details of the last one', async () => {
      const { agent, id } = await submitted();
      await decide(id, 'reject', 'Handtekening ontbreekt.');
      const start = await submitForm(agent, '/account', '/aanvragen', {});
      assert.equal(start.status, 303, start.text);
      const newId = must(start.headers.location?.split('/').pop(), 'a new application');
      assert.notEqual(newId, id);
      const fresh = await db.dataSource.getRepository(Application).findOneByOrFail({ id: newId });
      assert.equal(fresh.startedFrom, id);
      assert.equal(fresh.signatoryName, 'Saskia Signatuur');
      assert.equal(fresh.codeOfConductVersionId, versionId);
      assert.equal(fresh.aanContactEmail, 'aan@gids.example');
      const page = await agent.get(`/aanvragen/${newId}`).expect(200);
      assert.match(page.text, /value="Anna AAN"/);
      assert.equal(
        await db.dataSource.getRepository(Evidence).countBy({ applicationId: newId }),
        0,
        'evidence is added anew',
      );
    });

    it('after a revocation too', async () => {
      const { agent, id, provider } = await submitted();
      const reviewerAgent = await decide(id, 'approve', '');
      const page = `/beoordeling/hostingproviders/${provider.kvkNumber}`;
      const revoked = await submitForm(reviewerAgent, page, `${page}/status`, {
        action: 'revoke',
        reason: 'Misbruik niet aangepakt.',
        until: '',
        confirm: '1',
      });
      assert.equal(revoked.status, 303, revoked.text);
      const start = await submitForm(agent, '/account', '/aanvragen', {});
      assert.equal(start.status, 303, start.text);
      const newId = must(start.headers.location?.split('/').pop(), 'a new application');
      const fresh = await db.dataSource.getRepository(Application).findOneByOrFail({ id: newId });
      assert.equal(fresh.kind, 'listing');
      assert.equal(fresh.signatoryRole, 'Directeur');
      assert.equal(fresh.aanSince, '2025-06-01');
    });
  });
});

describe('how long review usually takes (confirmation page)', () => {
  let db: TestDatabase;
  let app: Express;

  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  it('names the median working days from submission to first decision over the last months', async () => {
    const provider = await givenProvider(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const { agent, id } = await started(app, who);
    // A Monday some weeks back; decisions after 1, 2, 3, 4 and 5 working days (the last over a weekend).
    let monday = toLocalDate(addDays(new Date(), -40));
    while (new Date(`${monday}T12:00:00Z`).getUTCDay() !== 1)
      monday = toLocalDate(addDays(startOfLocalDay(monday), 1.5));
    const at = (days: number) =>
      new Date(
        startOfLocalDay(toLocalDate(addDays(startOfLocalDay(monday), days + 0.5))).getTime() + 10 * 3_600_000,
      );
    // One more submission, years ago, that would pull the median up if it counted.
    const waits: [Date, Date][] = [1, 2, 3, 4, 7].map((d) => [at(0), at(d)]);
    waits.push([addDays(at(0), -800), addDays(at(0), -700)]);
    for (const [submittedAt, decidedAt] of waits) {
      await db.dataSource.query(
        `INSERT INTO application_messages (application_id, kind, author_id, created_at) VALUES ($1, 'submitted', $2, $3), ($1, 'changes_requested', $2, $4)`,
        [id, who.user.id, submittedAt, decidedAt],
      );
    }
    const page = await agent.get(`/aanvragen/${id}/ingediend`).expect(200);
    assert.match(page.text, /data-review-working-days="3"/);
    assert.match(
      page.text,
      /meestal 3 werkdagen tot het eerste besluit \(de middelste van 5 beoordelingen in de afgelopen 12 maanden\)/,
    );
  });
});

import assert from 'node:assert/strict';
import request from 'supertest';
import { runDueJobs } from '../../src/jobs/daily-jobs';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { readSettings, updateSettings } from '../../src/settings/settings.service';
import { FixedClock } from '../../src/shared/clock';
import { dateInWords } from '../../src/shared/i18n';
import { must } from '../../src/shared/must';
import { addDays } from '../../src/shared/time';
import { givenFilledApplication } from '../factories/application.factory';
import { givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, registrationFields } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { submitForm } from '../helpers/session';
import { confirmationLinkTo } from '../helpers/outbox';

const BASE = testConfig.publicBaseUrl;

/** Issue 13 §3: receipts on registration and submission; reviewers told of new submissions. */
describe('mails on registration and submission', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  const mailsTo = (to: string) =>
    ds()
      .getRepository(OutboxMail)
      .find({ where: { recipient: to }, order: { id: 'ASC' } });
  const applicant = async () => {
    const provider = await givenProvider(ds());
    const who = await givenUser(ds(), 'provider', { providerId: provider.id });
    return { provider, who };
  };
  const version = () => givenCodeVersion(ds(), { publishedAt: new Date('2020-01-01T00:00:00Z') });

  it('POST /registreren: only the confirmation link; once confirmed, a receipt with the account link and the contact address', async () => {
    const fields = registrationFields();
    const agent = request.agent(context.app);
    const res = await submitForm(agent, '/registreren', '/registreren', fields);
    assert.equal(res.status, 303);
    const [confirmation, ...others] = await mailsTo(fields.email);
    assert.equal(others.length, 0);
    assert.ok(confirmation);
    assert.match(confirmation.body, new RegExp(`${BASE}/e-mailadres-bevestigen/[A-Za-z0-9_-]+`));
    assert.ok(!confirmation.body.includes(fields.legalName), 'no typed text before the address is confirmed');
    const link = await confirmationLinkTo(ds(), fields.email);
    assert.equal((await submitForm(agent, link, link, {})).status, 200);
    const [, receipt, ...more] = await mailsTo(fields.email);
    assert.equal(more.length, 0);
    assert.ok(receipt);
    assert.equal(
      receipt.subject,
      `Registratie van ${fields.legalName} ontvangen / Registration of ${fields.legalName} received`,
    );
    assert.ok(receipt.body.includes(`KvK ${fields.kvkNumber}`));
    assert.ok(receipt.body.includes(`${BASE}/account`));
    assert.doesNotMatch(receipt.body, /e-mailadres-bevestigen/);
    assert.ok(receipt.body.includes(testConfig.contactEmail));
    assert.match(receipt.body, /Een beoordelaar bevestigt wie uw organisatie is/);
    assert.match(receipt.body, /A reviewer will confirm who your organisation is/);
  });

  it('POST /registreren refused: no receipt', async () => {
    const fields = registrationFields({ postcode: 'geen postcode' });
    const res = await submitForm(request.agent(context.app), '/registreren', '/registreren', fields);
    assert.equal(res.status, 400);
    assert.equal((await mailsTo(fields.email)).length, 0);
  });

  it('a submission: a receipt to every user of the organisation, with the date in words and the link', async () => {
    const { provider, who } = await applicant();
    const colleague = await givenUser(ds(), 'provider', { providerId: provider.id });
    const submittedAt = new Date('2026-03-03T10:00:00Z');
    const application = await givenFilledApplication(ds(), who.user, await version(), submittedAt);
    for (const to of [who.email, colleague.email]) {
      const [receipt] = await mailsTo(to);
      assert.ok(receipt, `a receipt to ${to}`);
      assert.equal(
        receipt.subject,
        `Aanvraag van ${provider.legalName} ontvangen / Application of ${provider.legalName} received`,
      );
      assert.ok(
        receipt.body.includes(`aanvraag voor vermelding van ${provider.legalName} op 3 maart 2026 ontvangen`),
      );
      assert.ok(receipt.body.includes(`application for listing of ${provider.legalName} on 3 March 2026`));
      assert.ok(receipt.body.includes(`${BASE}/aanvragen/${application.id}`));
    }
  });

  it("reviewers get a mail per submission when the setting says 'each', but not a reviewer of that organisation", async () => {
    const settings = await readSettings(ds().manager, testConfig);
    assert.equal(settings.reviewerNotification, 'each');
    const reviewer = await givenUser(ds(), 'reviewer');
    const { provider, who } = await applicant();
    const ownReviewer = await givenUser(ds(), 'reviewer', { providerId: provider.id });
    const application = await givenFilledApplication(ds(), who.user, await version(), new Date());
    const mails = (await mailsTo(reviewer.email)).filter((m) => m.subject.includes(provider.legalName));
    assert.equal(mails.length, 1);
    const mail = must(mails[0], 'the mail');
    assert.equal(
      mail.subject,
      `Nieuwe aanvraag: ${provider.legalName} / New application: ${provider.legalName}`,
    );
    assert.ok(mail.body.includes(`${BASE}/beoordeling/aanvragen/${application.id}`));
    assert.ok(mail.body.includes(`KvK ${provider.kvkNumber}`));
    assert.equal((await mailsTo(ownReviewer.email)).length, 0, 'no mail about its own organisation');
    // A draft is no submission.
    const other = await applicant();
    await givenFilledApplication(ds(), other.who.user, await version(), new Date(), { submit: false });
    const about = (await mailsTo(reviewer.email)).filter((m) => m.subject.includes(other.provider.legalName));
    assert.equal(about.length, 0);
  });
});

describe("reviewers told of submissions daily (setting 'daily')", () => {
  // The daily work runs on Monday 16 November 2026 and the next day.
  const clock = new FixedClock('2026-11-16T10:00:00Z');
  const context = useTestApp({ clock });
  const ds = () => context.db.dataSource;
  const mailsTo = (to: string) =>
    ds()
      .getRepository(OutboxMail)
      .find({ where: { recipient: to }, order: { id: 'ASC' } });

  it('sends no mail per submission, then one daily mail listing the submissions since the previous run', async () => {
    const now = clock.now();
    const before = await readSettings(ds().manager, testConfig);
    await updateSettings(ds(), testConfig, 'test', { ...before, reviewerNotification: 'daily' }, now);
    const reviewer = await givenUser(ds(), 'reviewer');
    const version = await givenCodeVersion(ds(), { publishedAt: new Date('2020-01-01T00:00:00Z') });
    const submit = async (at: Date) => {
      const provider = await givenProvider(ds());
      const who = await givenUser(ds(), 'provider', { providerId: provider.id });
      const application = await givenFilledApplication(ds(), who.user, version, at);
      return { provider, application };
    };
    const first = await submit(addDays(now, -0.2));
    const second = await submit(addDays(now, -0.1));
    assert.equal((await mailsTo(reviewer.email)).length, 0, 'no mail per submission');

    await runDueJobs(ds(), BASE, now);
    const [digest, ...more] = await mailsTo(reviewer.email);
    assert.equal(more.length, 0);
    assert.ok(digest);
    assert.equal(digest.subject, '2 nieuwe aanvragen ingediend / 2 new applications submitted');
    for (const { provider, application } of [first, second]) {
      assert.ok(
        digest.body.includes(
          `${provider.legalName} (KvK ${provider.kvkNumber}), ingediend op ${dateInWords('nl', now)}`,
        ),
      );
      assert.ok(digest.body.includes(`${BASE}/beoordeling/aanvragen/${application.id}`));
    }

    // The same day again: nothing more. The next day: only what came in since.
    await runDueJobs(ds(), BASE, addDays(now, 0.01));
    assert.equal((await mailsTo(reviewer.email)).length, 1);
    const third = await submit(addDays(now, 0.5));
    await runDueJobs(ds(), BASE, addDays(now, 1));
    const mails = await mailsTo(reviewer.email);
    assert.equal(mails.length, 2);
    const next = must(mails[1], 'the next daily mail');
    assert.equal(next.subject, '1 nieuwe aanvraag ingediend / 1 new application submitted');
    assert.ok(next.body.includes(third.provider.legalName));
    assert.ok(
      !next.body.includes(first.provider.legalName),
      'a submission already listed is not listed again',
    );
  });

  it("sends no daily mail when the setting says 'each'", async () => {
    const now = addDays(clock.now(), 3);
    const before = await readSettings(ds().manager, testConfig);
    await updateSettings(ds(), testConfig, 'test', { ...before, reviewerNotification: 'each' }, now);
    const reviewer = await givenUser(ds(), 'reviewer');
    const version = await givenCodeVersion(ds(), { publishedAt: new Date('2020-01-01T00:00:00Z') });
    const provider = await givenProvider(ds());
    const who = await givenUser(ds(), 'provider', { providerId: provider.id });
    await givenFilledApplication(ds(), who.user, version, addDays(now, -0.1));
    assert.equal((await mailsTo(reviewer.email)).length, 1, 'the mail per submission');
    await runDueJobs(ds(), BASE, now);
    const mails = await mailsTo(reviewer.email);
    assert.ok(
      mails.every((m) => !m.subject.includes('ingediend /')),
      'no daily mail of submissions',
    );
  });
});

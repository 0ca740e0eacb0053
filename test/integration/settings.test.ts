import assert from 'node:assert/strict';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { sendReminders } from '../../src/jobs/daily-jobs';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { readSettings } from '../../src/settings/settings.service';
import { addDays, addMonths } from '../../src/shared/time';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { testConfig, useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';
import { must } from '../../src/shared/must';

describe('settings kept in the database', () => {
  const context = useTestApp();
  let admin: Agent;

  before(async () => {
    admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
  });

  const contact = {
    organisationName: testConfig.organisationName,
    contactEmail: testConfig.contactEmail,
    reviewerNotification: testConfig.reviewerNotification,
  };
  const numbers = {
    listingValidityMonths: '12',
    reminderDays: '90, 30, 7',
    evidenceMaxFiles: '20',
    evidenceMaxTotalMb: '50',
  };

  const save = async (fields: Record<string, string>) => {
    const page = await admin.get('/beheer/instellingen');
    return admin
      .post('/beheer/instellingen')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields });
  };

  it('shows the configured values first, saves changes with an audit trail of old and new', async () => {
    const page = await admin.get('/beheer/instellingen');
    assert.match(page.text, /id="field-listingValidityMonths"[^>]*value="12"/);
    assert.match(page.text, /value="90, 30, 7"/);
    await assertValidHtml(page.text, 'settings');
    const caps = { evidenceMaxFiles: '20', evidenceMaxTotalMb: '50', ...contact };
    const res = await save({ listingValidityMonths: '24', reminderDays: '14, 60', ...caps });
    assert.equal(res.status, 303);
    const settings = await readSettings(context.db.dataSource.manager, testConfig);
    assert.deepEqual(settings, {
      listingValidityMonths: 24,
      reminderDays: [60, 14],
      evidenceMaxFiles: 20,
      evidenceMaxTotalMb: 50,
      organisationName: testConfig.organisationName,
      contactEmail: testConfig.contactEmail,
      reviewerNotification: 'each',
    });
    const audit = await context.db.dataSource
      .getRepository(AuditEvent)
      .find({ where: { action: 'settings.changed' }, order: { id: 'ASC' } });
    assert.deepEqual(
      audit.map((e) => [e.subjectId, e.data]),
      [
        ['listingValidityMonths', { from: 12, to: 24 }],
        ['reminderDays', { from: [90, 30, 7], to: [60, 14] }],
      ],
    );
    // Saving the same values again records nothing.
    await save({ listingValidityMonths: '24', reminderDays: '60,14', ...caps });
    assert.equal(
      await context.db.dataSource.getRepository(AuditEvent).countBy({ action: 'settings.changed' }),
      2,
    );
  });

  it('the reminder days in force are the ones the daily work uses', async () => {
    const version = await givenCodeVersion(context.db.dataSource, { publishedAt: addDays(new Date(), -400) });
    const provider = await givenProvider(context.db.dataSource);
    const user = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    // Ends in 50 days: inside 60, outside 14.
    await givenApproval(context.db.dataSource, provider, version, addDays(addMonths(new Date(), -12), 50));
    await context.db.dataSource.transaction((m) => sendReminders(m, new Date(), testConfig.publicBaseUrl));
    const mails = await context.db.dataSource.getRepository(OutboxMail).findBy({ recipient: user.email });
    assert.equal(mails.length, 1);
    assert.match(must(mails[0], 'one mail').body, /over 50 dagen/);
  });

  it('refuses values out of range, keeping what was typed', async () => {
    const res = await save({
      listingValidityMonths: '0',
      reminderDays: '400, x',
      evidenceMaxFiles: '20',
      evidenceMaxTotalMb: '50',
      ...contact,
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /geef een geheel aantal maanden van 1 tot en met 60/);
    assert.match(res.text, /value="400, x"/);
  });

  it('refuses reminder days beyond the renewal window with a message naming the window, in both languages', async () => {
    const window = testConfig.renewalWindowDays;
    const page = await admin.get('/beheer/instellingen');
    assert.ok(
      page.text.includes(`van 1 tot en met ${window} (verlengen kan vanaf ${window} dagen`),
      'the hint names the window',
    );
    const typed = `${window + 1}, 30, 7`;
    const res = await save({
      listingValidityMonths: '12',
      reminderDays: typed,
      evidenceMaxFiles: '20',
      evidenceMaxTotalMb: '50',
      ...contact,
    });
    assert.equal(res.status, 400);
    assert.ok(
      res.text.includes(`geef dagen van ten hoogste ${window}: verlengen kan pas vanaf ${window} dagen`),
      res.text,
    );
    assert.ok(res.text.includes(`value="${typed}"`), 'keeps what was typed');
    assert.match(res.text, /id="error-reminderDays"/);
    await assertValidHtml(res.text, 'settings refused');
    const english = await admin
      .post('/beheer/instellingen?lang=en')
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        listingValidityMonths: '12',
        reminderDays: typed,
        evidenceMaxFiles: '20',
        evidenceMaxTotalMb: '50',
        ...contact,
      });
    assert.equal(english.status, 400);
    assert.ok(english.text.includes(`give days of at most ${window}: renewal opens only ${window} days`));
    const stored = await readSettings(context.db.dataSource.manager, testConfig);
    assert.ok(!stored.reminderDays.includes(window + 1), 'nothing stored');
    // The window itself is allowed: the first day renewal is possible.
    const edge = await save({
      listingValidityMonths: '12',
      reminderDays: `${window}, 7`,
      evidenceMaxFiles: '20',
      evidenceMaxTotalMb: '50',
      ...contact,
    });
    assert.equal(edge.status, 303);
  });

  it('saves the organisation name, the contact address and how reviewers hear of submissions, with an audit trail', async () => {
    const page = await admin.get('/beheer/instellingen');
    assert.match(page.text, /id="field-contactEmail"[^>]*value="register@register.example"/);
    assert.match(page.text, /<option value="each" selected>/);
    const res = await save({
      ...numbers,
      organisationName: 'Ministerie van Justitie en Veiligheid',
      contactEmail: 'vragen@register.example',
      reviewerNotification: 'daily',
    });
    assert.equal(res.status, 303);
    const settings = await readSettings(context.db.dataSource.manager, testConfig);
    assert.equal(settings.organisationName, 'Ministerie van Justitie en Veiligheid');
    assert.equal(settings.contactEmail, 'vragen@register.example');
    assert.equal(settings.reviewerNotification, 'daily');
    const audit = await context.db.dataSource
      .getRepository(AuditEvent)
      .findOneBy({ action: 'settings.changed', subjectId: 'reviewerNotification' });
    assert.deepEqual(audit?.data, { from: 'each', to: 'daily' });
    const shown = await admin.get('/beheer/instellingen');
    assert.match(shown.text, /<option value="daily" selected>/);
    await save({ ...numbers, ...contact });
  });

  it('refuses a bad contact address, an empty organisation name and an unknown notification mode, keeping what was typed', async () => {
    const res = await save({
      ...numbers,
      organisationName: '  ',
      contactEmail: 'vragen-at-register',
      reviewerNotification: 'hourly',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /id="error-contactEmail"/);
    assert.match(res.text, /id="error-organisationName"/);
    assert.match(res.text, /id="error-reviewerNotification"/);
    assert.match(res.text, /value="vragen-at-register"/);
    await assertValidHtml(res.text, 'settings refused: contact');
    const stored = await readSettings(context.db.dataSource.manager, testConfig);
    assert.equal(stored.contactEmail, testConfig.contactEmail, 'nothing stored');
  });
});

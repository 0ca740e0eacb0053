import assert from 'node:assert/strict';
import { IsNull, Not } from 'typeorm';
import { deliverOutbox, type MailTransport, queueMail } from '../../src/mail/mail.service';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { createLogger } from '../../src/shared/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { systemClock } from '../../src/shared/clock';
import { dateInWords } from '../../src/shared/i18n';
import { addDays, addMonths } from '../../src/shared/time';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { runCli } from '../helpers/processes';

describe('the mail outbox', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  const logger = createLogger('silent');

  it('keeps no mail of a change that rolled back', async () => {
    await assert.rejects(
      db.dataSource.transaction(async (m) => {
        await queueMail(m, { to: 'a@test.example', subject: 's', body: 'b' });
        throw new Error('the change failed');
      }),
    );
    assert.equal(await db.dataSource.getRepository(OutboxMail).count(), 0);
  });

  it('sends each mail once, even with two senders at work at the same time', async () => {
    await db.dataSource.transaction(async (m) => {
      for (let i = 0; i < 30; i++)
        await queueMail(m, { to: `r${i}@test.example`, subject: `s${i}`, body: 'b' });
    });
    const sent: string[] = [];
    const transport: MailTransport = {
      sendMail: async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        sent.push(message.to);
      },
    };
    const counts = await Promise.all([
      deliverOutbox(db.dataSource, transport, 'from@test.example', logger, systemClock, 10),
      deliverOutbox(db.dataSource, transport, 'from@test.example', logger, systemClock, 10),
    ]);
    assert.equal(counts[0] + counts[1], 20);
    assert.equal(new Set(sent).size, sent.length, 'no mail went out twice');
    await deliverOutbox(db.dataSource, transport, 'from@test.example', logger, systemClock, 50);
    assert.equal(sent.length, 30);
    assert.equal(await db.dataSource.getRepository(OutboxMail).countBy({ sentAt: Not(IsNull()) }), 30);
  });

  it('keeps a mail that could not be sent for a later try, with the error', async () => {
    await db.dataSource.transaction((m) => queueMail(m, { to: 'x@test.example', subject: 's', body: 'b' }));
    const failing: MailTransport = { sendMail: () => Promise.reject(new Error('SMTP says no')) };
    assert.equal(await deliverOutbox(db.dataSource, failing, 'from@test.example', logger, systemClock), 0);
    const [mail] = await db.dataSource.getRepository(OutboxMail).find();
    assert.ok(mail, 'the mail is kept');
    assert.equal(mail.sentAt, null);
    assert.equal(mail.attempts, 1);
    assert.match(mail.lastError!, /SMTP says no/);
  });
});

/**
 * The command line mails through the same outbox as the web: renewal reminders and the reviewers'
 * digest (`jobs:daily`) are the commands that mail. Their links start with PUBLIC_BASE_URL, as the
 * web's do, never with a default that only works on the machine that ran the command.
 */
describe('mails sent from the command line', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  it('jobs:daily links to PUBLIC_BASE_URL and writes dates in words', async () => {
    const now = new Date();
    const version = await givenCodeVersion(db.dataSource);
    const provider = await givenProvider(db.dataSource);
    const user = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    await givenApproval(db.dataSource, provider, version, addDays(addMonths(now, -12), 20), now);
    const reviewer = await givenUser(db.dataSource, 'reviewer');
    // Another organisation's application has waited 20 days (one with an open application gets no reminder).
    const waiting = await givenProvider(db.dataSource);
    const applicant = await givenUser(db.dataSource, 'provider', { providerId: waiting.id });
    await db.dataSource.query(
      `INSERT INTO applications (provider_id, kind, state, submitted_at, code_of_conduct_version_id, code_signed_on,
                                 signatory_name, signatory_role, aan_since, aan_contact_name, created_by)
       VALUES ($1, 'listing', 'submitted', $2, $3, '2026-01-01', 'A', 'B', '2025-01-01', 'C', $4)`,
      [waiting.id, addDays(now, -20), version.id, applicant.user.id],
    );
    const base = 'https://register.voorbeeld.example';
    const result = runCli(['jobs:daily'], {
      DATABASE_URL: db.url,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      PUBLIC_BASE_URL: base,
    });
    assert.equal(result.status, 0, result.stderr);
    const mails = await db.dataSource.getRepository(OutboxMail).find();
    const reminder = mails.find((m) => m.recipient === user.email);
    const digest = mails.find((m) => m.recipient === reviewer.email);
    assert.ok(reminder && digest, `a reminder and a digest: ${mails.map((m) => m.recipient).join()}`);
    assert.ok(reminder.body.includes(`${base}/account`), reminder.body);
    assert.match(
      digest.body,
      new RegExp(`${base.replace(/\./g, '\\.')}/beoordeling/aanvragen/[0-9a-f-]{36}`),
    );
    for (const mail of [reminder, digest]) {
      assert.doesNotMatch(mail.body, /localhost|\d{4}-\d{2}-\d{2}/, 'no default address, no YYYY-MM-DD');
    }
    const submitted = addDays(now, -20);
    assert.ok(
      digest.body.includes(dateInWords('nl', submitted)) &&
        digest.body.includes(dateInWords('en', submitted)),
    );
  });
});

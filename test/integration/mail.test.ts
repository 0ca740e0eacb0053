import assert from 'node:assert/strict';
import { IsNull, Not } from 'typeorm';
import { deliverOutbox, type MailTransport, queueMail } from '../../src/mail/mail.service';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { createLogger } from '../../src/shared/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { systemClock } from '../../src/shared/clock';

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
    assert.equal(mail.sentAt, null);
    assert.equal(mail.attempts, 1);
    assert.match(mail.lastError!, /SMTP says no/);
  });
});

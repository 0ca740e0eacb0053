import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';

/** The newest mail queued for `recipient`. */
export async function lastMailTo(dataSource: DataSource, recipient: string): Promise<OutboxMail> {
  const [mail] = await dataSource
    .getRepository(OutboxMail)
    .find({ where: { recipient: recipient.toLowerCase() }, order: { id: 'DESC' }, take: 1 });
  assert.ok(mail, `a mail to ${recipient}`);
  return mail;
}

/** The path of the e-mail confirmation link in the newest mail to `recipient`. */
export async function confirmationLinkTo(dataSource: DataSource, recipient: string): Promise<string> {
  const mail = await lastMailTo(dataSource, recipient);
  const link = /https?:\/\/[^/\s]+(\/e-mailadres-bevestigen\/[^\s]+)/.exec(mail.body)?.[1];
  assert.ok(link, `the mail to ${recipient} holds a confirmation link`);
  return link;
}

import nodemailer from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Logger } from '../shared/logger';
import { deliverOutbox } from './mail.service';

/** Every 10 seconds, sends what the outbox holds through the configured SMTP server. */
export function startMailSender(dataSource: DataSource, config: Config, logger: Logger): NodeJS.Timeout {
  const transport = nodemailer.createTransport(config.smtpUrl);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    deliverOutbox(dataSource, transport, config.mailFrom, logger)
      .catch((error: unknown) => logger.warn({ err: error }, 'outbox delivery failed'))
      .finally(() => (busy = false));
  }, 10_000);
  timer.unref();
  return timer;
}

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { logBackgroundFailure } from '../database/availability';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { deliverOutbox, type MailTransport } from './mail.service';

/** How often the outbox is looked at. */
const INTERVAL_MS = 2_000;

/**
 * Writes each mail as an RFC 5322 message (`.eml`, which any mail program opens) into `directory`:
 * mail for local demos and development, readable without an SMTP server and never shown on a page.
 */
export function fileTransport(directory: string, clock: Clock): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    sendMail: async (message) => {
      const info = (await composer.sendMail(message)) as { message: Buffer };
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const name = `${clock.now().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      await writeFile(path.join(directory, name), info.message, { mode: 0o600 });
    },
  };
}

/** Where mail goes: the configured SMTP server, or files under DATA_DIR/mail. */
export function mailDestination(
  config: Config,
  clock: Clock,
): { transport: MailTransport; description: string } {
  if (config.smtpUrl) {
    const where = new URL(config.smtpUrl);
    return { transport: nodemailer.createTransport(config.smtpUrl), description: `SMTP ${where.host}` };
  }
  return { transport: fileTransport(config.mailDir, clock), description: `files in ${config.mailDir}` };
}

/** Every few seconds, delivers what the outbox holds; answers a function that stops it. */
export function startMailSender(
  dataSource: DataSource,
  config: Config,
  transport: MailTransport,
  logger: Logger,
  clock: Clock,
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    deliverOutbox(dataSource, transport, config.mailFrom, logger, clock)
      .catch((error: unknown) => logBackgroundFailure(logger, error, 'outbox delivery failed', 'warn'))
      .finally(() => (busy = false));
  }, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createApp } from './app';
import { signingKeyring } from './attestation/signing';
import { encryptClearTotpSecrets, secretBox, secretsKeyFor } from './identity/secrets';
import { startScheduler } from './jobs/scheduler';
import { startSnapshotRefresh } from './jobs/snapshot-refresh';
import { startCheckpointSigner } from './jobs/checkpoint-signer';
import { loadLogKey } from './transparency/log-key';
import { logSigner, signCheckpointIfDue } from './transparency/checkpoint.service';
import { loadConfig } from './config';
import { ENTITIES } from './entities';
import { openDatabase } from './database/connect';
import { mailDestination, startMailSender } from './mail/sender';
import { startWatchMailSender } from './jobs/watch-mail-sender';
import { existingDemoLogins, seedDemoDataIfEmpty } from './seed/demo';
import { DEMO_PASSWORD } from './seed/demo-data';
import { createLifecycle, type Lifecycle } from './shared/lifecycle';
import { createLogger, type Logger } from './shared/logger';
import { systemClock } from './shared/clock';
import { SettingError } from './shared/errors';
import { senderSettings, startWebhookSender } from './webhooks/webhook-sender';

export interface ShutdownOptions {
  server: Server;
  lifecycle: Lifecycle;
  delayMs: number;
  close: () => Promise<void>;
  logger: Logger;
  /** How long stopping may take after the delay; past it the promise resolves false, saying so in the log. */
  timeoutMs?: number;
}

/**
 * Stops in order: /readyz turns 503 (so a load balancer stops sending), after `delayMs` the server
 * stops taking connections and lets requests in flight finish, then the pool and the database close.
 * Resolves true when all that is done, false when it took longer than `timeoutMs` (never waits
 * forever: a hung database or request must not keep the process from exiting).
 */
export async function shutdown({
  server,
  lifecycle,
  delayMs,
  close,
  logger,
  timeoutMs,
}: ShutdownOptions): Promise<boolean> {
  lifecycle.stopping = true;
  logger.info({ delayMs }, 'stopping: readiness now answers 503');
  const work = (async () => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await new Promise<void>((resolve) => {
      // Keep-alive connections turn idle as their last response goes out; close each as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.close(() => {
        clearInterval(sweep);
        resolve();
      });
      server.closeIdleConnections();
    });
    await close();
    logger.info('stopped');
    return true;
  })();
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), delayMs + timeoutMs);
  });
  const inTime = await Promise.race([work, late]).finally(() => clearTimeout(timer));
  if (!inTime) {
    logger.error(
      { timeoutMs },
      'stopping took longer than SHUTDOWN_TIMEOUT_MS: exiting without waiting any further',
    );
  }
  return inTime;
}

/** Answers while the register is starting (the port is taken first, so that a busy port stops the start before anything changes). */
function starting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { 'Retry-After': '5', 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Starting / Bezig met starten\n');
}

/** Takes the port, or says in one line that it is taken. */
async function listenOn(port: number): Promise<Server> {
  const server = createServer(starting);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new SettingError(
              `PORT ${port} ${error.code === 'EADDRINUSE' ? 'is in use by another program' : 'may not be used by this user'}`,
              { cause: error },
            )
          : error,
      ),
    );
    server.listen(port);
  });
  return server;
}

async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const lifecycle = createLifecycle();
  const clock = systemClock;
  // Read the signing key and take the port first: a wrong key file or a busy port stops the start
  // before the migrations and the demo data change the database.
  const keyring = signingKeyring(config, clock);
  await keyring();
  const logKey = loadLogKey(config);
  const signer = logSigner(logKey, config.logSignerStateFile, (message) => logger.warn(message));
  const server = await listenOn(config.port);
  const database = await openDatabase(config, logger, { entities: ENTITIES });
  // TOTP seeds from before encryption are encrypted now, once; later starts find none.
  const box = secretBox(secretsKeyFor(config));
  const encrypted = await encryptClearTotpSecrets(database.dataSource, box);
  if (encrypted > 0) logger.info({ users: encrypted }, 'TOTP secrets encrypted');
  if (config.seedDemoData) {
    await seedDemoDataIfEmpty(database.dataSource, logger, { now: clock.now(), config, keyring });
    // A fresh demo has its first checkpoint at once, not at the signer's first tick.
    await signCheckpointIfDue(database.dataSource, signer, clock.now(), {
      intervalSeconds: config.checkpointIntervalSeconds,
      asked: true,
    });
  }

  const app = createApp({
    config,
    dataSource: database.dataSource,
    logger,
    lifecycle,
    clock,
    keyring,
    logKey,
    signer,
  });
  const stopScheduler = startScheduler(
    database.dataSource,
    config.publicBaseUrl,
    config.jobsIntervalSeconds,
    logger,
    clock,
    config.reviewerNotification,
    config.watchListingEndNoticeDays,
    config.signalReminderDays,
  );
  const stopSnapshotRefresh = startSnapshotRefresh(
    database.dataSource,
    config.snapshotRefreshSeconds,
    logger,
    clock,
  );
  const stopWatchMail = startWatchMailSender(
    database.dataSource,
    config.publicBaseUrl,
    config.watchMailSeconds,
    logger,
    clock,
  );
  const stopCheckpointSigner = startCheckpointSigner(
    database.dataSource,
    signer,
    config.checkpointIntervalSeconds,
    logger,
    clock,
  );
  server.off('request', starting);
  server.on('request', app);
  const mail = mailDestination(config, clock);
  const stopSender = startMailSender(database.dataSource, config, mail.transport, logger, clock);
  // Pushed by LISTEN/NOTIFY on the commit of a change, polled every WEBHOOK_POLL_SECONDS for retries.
  const webhooks = startWebhookSender(
    database.dataSource,
    senderSettings(config, box, logger, clock),
    config.webhookPollSeconds,
  );
  logger.info({ mail: mail.description }, `Outgoing mail goes to ${mail.description}`);

  // Read before the ready line too: after it, a SIGTERM may already be closing the pool.
  const logins = config.env === 'production' ? [] : await existingDemoLogins(database.dataSource);

  // Before the ready line: whoever waits for it may send SIGTERM at once.
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    stopSender();
    stopping ??= shutdown({
      server,
      lifecycle,
      delayMs: config.shutdownDelayMs,
      close: async () => {
        await webhooks.stop();
        await stopScheduler();
        await stopSnapshotRefresh();
        await stopWatchMail();
        await stopCheckpointSigner();
        await database.close();
      },
      logger,
      timeoutMs: config.shutdownTimeoutMs,
    }).then(
      (inTime) => process.exit(inTime ? 0 : 1),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const readyMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  logger.info(
    { url: config.publicBaseUrl, database: database.description, readyMs: Math.round(readyMs) },
    `Register Verantwoorde Hostingproviders is ready at ${config.publicBaseUrl}`,
  );

  if (config.eherkenning?.mode === 'demo') {
    logger.info(
      { issuer: config.eherkenning.issuer },
      `eHerkenning: the built-in demo provider (not a real broker) answers at ${config.eherkenning.issuer}; try "Inloggen met eHerkenning" at ${config.publicBaseUrl}/inloggen`,
    );
  }

  if (logins.length > 0) {
    logger.info(
      {
        password: DEMO_PASSWORD,
        logins,
        secondFactor: config.staffSecondFactorRequired
          ? 'staff set up TOTP at first login'
          : 'relaxed for this demo',
      },
      `Demo logins at ${config.publicBaseUrl}${'/inloggen'}, password "${DEMO_PASSWORD}"`,
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    // A wrong setting is one line that names it; anything else keeps its stack for the developer.
    if (error instanceof SettingError) {
      createLogger('info').fatal(`the register could not start: ${error.message}`);
    } else {
      createLogger('info').fatal({ err: error }, 'the register could not start');
    }
    process.exit(1);
  });
}

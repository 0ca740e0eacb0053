import type { Server } from 'node:http';
import { createApp } from './app';
import { signingKeyring } from './attestation/signing';
import { encryptClearTotpSecrets, secretBox, secretsKeyFor } from './identity/secrets';
import { startScheduler } from './jobs/scheduler';
import { startSnapshotRefresh } from './jobs/snapshot-refresh';
import { loadConfig } from './config';
import { ENTITIES } from './entities';
import { openDatabase } from './database/connect';
import { User } from './identity/user.entity';
import { mailDestination, startMailSender } from './mail/sender';
import { seedDemoDataIfEmpty } from './seed/demo';
import { DEMO_PASSWORD, DEMO_PROVIDERS, DEMO_REVIEWER, DEMO_STAFF } from './seed/demo-data';
import { createLifecycle, type Lifecycle } from './shared/lifecycle';
import { createLogger, type Logger } from './shared/logger';
import { systemClock } from './shared/clock';

export interface ShutdownOptions {
  server: Server;
  lifecycle: Lifecycle;
  delayMs: number;
  close: () => Promise<void>;
  logger: Logger;
}

/**
 * Stops in order: /readyz turns 503 (so a load balancer stops sending), after `delayMs` the server
 * stops taking connections and lets requests in flight finish, then the pool and the database close.
 */
export async function shutdown({
  server,
  lifecycle,
  delayMs,
  close,
  logger,
}: ShutdownOptions): Promise<void> {
  lifecycle.stopping = true;
  logger.info({ delayMs }, 'stopping: readiness now answers 503');
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
}

async function main(): Promise<void> {
  const startedAt = process.hrtime.bigint();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const lifecycle = createLifecycle();
  const clock = systemClock;
  const database = await openDatabase(config, logger, { entities: ENTITIES });
  // Read the signing key now, so that a wrong file or passphrase stops the start, not the first issue.
  const keyring = signingKeyring(config, clock);
  await keyring();
  // TOTP seeds from before encryption are encrypted now, once; later starts find none.
  const encrypted = await encryptClearTotpSecrets(database.dataSource, secretBox(secretsKeyFor(config)));
  if (encrypted > 0) logger.info({ users: encrypted }, 'TOTP secrets encrypted');
  if (config.seedDemoData) {
    await seedDemoDataIfEmpty(database.dataSource, logger, { now: clock.now(), config, keyring });
  }

  const app = createApp({ config, dataSource: database.dataSource, logger, lifecycle, clock, keyring });
  const stopScheduler = startScheduler(
    database.dataSource,
    config.publicBaseUrl,
    config.jobsIntervalSeconds,
    logger,
    clock,
    config.reviewerNotification,
  );
  const stopSnapshotRefresh = startSnapshotRefresh(
    database.dataSource,
    config.snapshotRefreshSeconds,
    logger,
    clock,
  );
  const server = app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const readyMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  logger.info(
    { url: config.publicBaseUrl, database: database.description, readyMs: Math.round(readyMs) },
    `Register Verantwoorde Hostingproviders is ready at ${config.publicBaseUrl}`,
  );

  if (
    config.env !== 'production' &&
    (await database.dataSource.getRepository(User).existsBy({ email: DEMO_REVIEWER }))
  ) {
    logger.info(
      {
        password: DEMO_PASSWORD,
        logins: [
          ...DEMO_PROVIDERS.filter((d) => d.login).map((d) => `${d.login} (provider: ${d.legalName})`),
          ...DEMO_STAFF.map((s) => `${s.email} (${s.role})`),
        ],
        secondFactor: config.staffSecondFactorRequired
          ? 'staff set up TOTP at first login'
          : 'relaxed for this demo',
      },
      `Demo logins at ${config.publicBaseUrl}${'/inloggen'}, password "${DEMO_PASSWORD}"`,
    );
  }

  const mail = mailDestination(config, clock);
  const stopSender = startMailSender(database.dataSource, config, mail.transport, logger, clock);
  logger.info({ mail: mail.description }, `Outgoing mail goes to ${mail.description}`);

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    logger.info({ signal }, 'signal received');
    stopSender();
    stopping ??= shutdown({
      server,
      lifecycle,
      delayMs: config.shutdownDelayMs,
      close: async () => {
        await stopScheduler();
        await stopSnapshotRefresh();
        await database.close();
      },
      logger,
    }).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    createLogger('info').fatal({ err: error }, 'the register could not start');
    process.exit(1);
  });
}

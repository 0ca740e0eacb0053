import { randomInt, randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import type { Config } from '../config';
import { logBackgroundFailure } from '../database/availability';
import { databasePool } from '../database/data-source';
import type { SecretBox } from '../identity/secrets';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { WEBHOOK_CHANNEL } from '../watch/watch-events';
import {
  cloudEventFor,
  type EventSource,
  eventSource,
  structuredBody,
  TEST_EVENT_TYPE,
} from './webhook-event';
import { deliveryError } from './webhook-errors';
import { postWebhook, type PostOutcome } from './webhook-http';
import { afterFailure, shouldDisable } from './webhook-retry';
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  disabledSubscriptionRecipients,
  disableSubscription,
  insertAttempt,
  markDelivered,
  markFailed,
} from './webhooks.queries';

/** The audit actor of what the sender does on its own (disabling a failing subscription). */
export const SENDER_ACTOR = 'webhooks:sender';

/** Deliveries claimed at once per tick; they are sent side by side. */
const BATCH = 20;

export interface SenderSettings {
  origin: EventSource;
  timeoutMs: number;
  production: boolean;
  allowPrivate: boolean;
  box: SecretBox;
  logger: Logger;
  clock: Clock;
  /** Where the disabled-subscription mail links to. */
  publicBaseUrl: string;
  /** [0, 1): the retry jitter's dice; tests pass a constant. */
  random?: () => number;
}

/** The sender's settings from the configuration. */
export function senderSettings(config: Config, box: SecretBox, logger: Logger, clock: Clock): SenderSettings {
  return {
    origin: eventSource(config.publicBaseUrl, config.registerOin),
    timeoutMs: config.webhookTimeoutMs,
    production: config.env === 'production',
    allowPrivate: config.webhookAllowPrivateTargets,
    box,
    logger,
    clock,
    publicBaseUrl: config.publicBaseUrl,
  };
}

/**
 * The headers and body of one delivery: the event in structured mode, signed as Standard
 * Webhooks says with the subscription's secret. `webhook-id` is the delivery's id, the same on
 * every retry, so a receiver can tell a retry from a new event.
 */
export function signedDelivery(
  delivery: ClaimedDelivery,
  settings: Pick<SenderSettings, 'origin' | 'box'>,
  at: Date,
): { body: string; headers: Record<string, string> } {
  const { body, contentType } = structuredBody(cloudEventFor(delivery.event, settings.origin));
  const signer = new Webhook(settings.box.decrypt(delivery.sealedSecret));
  return {
    body,
    headers: {
      'content-type': contentType,
      'user-agent': 'Register-Verantwoorde-Hostingproviders-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(delivery.id, at, body),
    },
  };
}

/** Sends one claimed delivery, outside any transaction. */
async function send(delivery: ClaimedDelivery, settings: SenderSettings): Promise<PostOutcome> {
  try {
    const { body, headers } = signedDelivery(delivery, settings, settings.clock.now());
    return await postWebhook(delivery.url, body, headers, {
      timeoutMs: settings.timeoutMs,
      production: settings.production,
      allowPrivate: settings.allowPrivate,
    });
  } catch (error) {
    // A secret that no longer decrypts (another SECRETS_KEY) is a failed attempt like any other.
    return {
      statusCode: undefined,
      error: deliveryError('not_sent', (error as Error).message),
      durationMs: 0,
    };
  }
}

/**
 * Sends a test event to a subscription's URL at once, signed with its secret, and answers what
 * the receiver did; nothing is stored or retried. Its `webhook-id` starts with `test_`, its type is
 * TEST_EVENT_TYPE, so a receiver can tell it from a real event.
 */
export async function sendTestEvent(
  target: { url: string; sealedSecret: string },
  settings: Pick<SenderSettings, 'origin' | 'box' | 'timeoutMs' | 'production' | 'allowPrivate'>,
  now: Date,
): Promise<PostOutcome> {
  const id = `test_${randomUUID()}`;
  const event = new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: `${settings.origin.source}${settings.origin.source.startsWith('urn:') ? ':' : '#'}${id}`,
    source: settings.origin.source,
    type: TEST_EVENT_TYPE,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: { test: true },
  });
  const { body, contentType } = structuredBody(event);
  const headers = {
    'content-type': contentType,
    'user-agent': 'Register-Verantwoorde-Hostingproviders-Webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(settings.box.decrypt(target.sealedSecret)).sign(id, now, body),
  };
  return postWebhook(target.url, body, headers, {
    timeoutMs: settings.timeoutMs,
    production: settings.production,
    allowPrivate: settings.allowPrivate,
  });
}

/**
 * Records what an attempt did, in one transaction: the log row, the delivery's outcome or next
 * attempt, the subscription's streak, and when it is to be disabled, the disabling, its audit
 * event and the mail to its owner.
 */
async function record(
  dataSource: DataSource,
  delivery: ClaimedDelivery,
  outcome: PostOutcome,
  attemptedAt: Date,
  settings: SenderSettings,
): Promise<void> {
  const now = settings.clock.now();
  await dataSource.transaction(async (m) => {
    await insertAttempt(m, delivery.id, attemptedAt, outcome.durationMs, outcome.statusCode, outcome.error);
    if (outcome.error === undefined) {
      await markDelivered(m, delivery.id, delivery.subscriptionId, now, outcome.statusCode ?? 200);
      return;
    }
    const decision = afterFailure(
      delivery.createdAt,
      delivery.attempts + 1,
      now,
      (settings.random ?? Math.random)(),
    );
    const gaveUp = 'giveUp' in decision;
    const streak = await markFailed(
      m,
      delivery.id,
      delivery.subscriptionId,
      { statusCode: outcome.statusCode, error: outcome.error },
      gaveUp ? { givenUpAt: now } : decision,
    );
    if (
      streak.disabledAt ||
      !shouldDisable(streak.consecutiveFailures, streak.lastSuccessOrCreation, now, gaveUp)
    ) {
      return;
    }
    const reason = gaveUp ? 'delivery_given_up' : 'repeated_failures';
    const disabled = await disableSubscription(m, delivery.subscriptionId, now, reason);
    if (!disabled) return;
    await appendAuditEvent(m, now, {
      actor: SENDER_ACTOR,
      action: 'webhook_subscription.disabled',
      subjectType: 'webhook_subscription',
      subjectId: delivery.subscriptionId,
      data: { reason, consecutiveFailures: streak.consecutiveFailures, lastError: outcome.error },
    });
    const link = `${settings.publicBaseUrl}/inkoop/webhooks/${delivery.subscriptionId}`;
    for (const to of await disabledSubscriptionRecipients(m, disabled.organisationId, disabled.createdBy)) {
      await queueMail(
        m,
        mailTexts.webhookDisabled(to, disabled.url, reason, streak.consecutiveFailures, link),
      );
    }
    settings.logger.warn(
      { subscriptionId: delivery.subscriptionId, reason, consecutiveFailures: streak.consecutiveFailures },
      'webhook subscription disabled',
    );
  });
}

/**
 * One round: claims due deliveries in batches and sends each batch side by side until none is
 * due. Answers how many attempts were made. `now` decides what is due (tests pass a later one to
 * reach a retry); the attempts themselves are timed by the settings' clock.
 */
export async function sendDueWebhooks(
  dataSource: DataSource,
  settings: SenderSettings,
  now: () => Date = () => settings.clock.now(),
): Promise<number> {
  let attempts = 0;
  for (;;) {
    // The lease outlasts an attempt (timeout) and its recording; a crashed instance's claims return after it.
    const batch = await dataSource.transaction((m) =>
      claimDueDeliveries(m, now(), settings.timeoutMs + 30_000, BATCH),
    );
    if (batch.length === 0) return attempts;
    await Promise.all(
      batch.map(async (delivery) => {
        const attemptedAt = settings.clock.now();
        const outcome = await send(delivery, settings);
        await record(dataSource, delivery, outcome, attemptedAt, settings);
        if (outcome.error) {
          settings.logger.info(
            { deliveryId: delivery.id, status: outcome.statusCode, error: outcome.error },
            'webhook delivery failed; will retry',
          );
        }
      }),
    );
    attempts += batch.length;
  }
}

export interface WebhookSender {
  /** Runs a round now (after a NOTIFY, or from a test); resolves when it and any round it asked for end. */
  wake(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the sender of this instance: a round at every NOTIFY on WEBHOOK_CHANNEL (sent when a
 * transaction with new deliveries commits) through a connection of its own, which is opened
 * again when it drops, and a round every `pollSeconds` for retries and for notices missed while
 * that connection was away. Never two rounds at once on one instance; several instances share
 * the work through claimDueDeliveries.
 */
export function startWebhookSender(
  dataSource: DataSource,
  settings: SenderSettings,
  pollSeconds: number,
): WebhookSender {
  const { logger } = settings;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const round = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await sendDueWebhooks(dataSource, settings).catch((error: unknown) =>
          logBackgroundFailure(logger, error, 'webhook delivery round failed', 'warn'),
        );
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  let client: Client | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  const listen = async (): Promise<void> => {
    if (stopped) return;
    const pool = databasePool(dataSource) as unknown as { options: ConstructorParameters<typeof Client>[0] };
    const next = new Client(pool.options);
    const retry = () => {
      if (client === next) client = undefined;
      next.removeAllListeners();
      next.end().catch(() => undefined);
      if (!stopped) {
        reconnect = setTimeout(() => void listen(), 1000 + randomInt(1000));
        reconnect.unref();
      }
    };
    next.on('error', (error) => {
      logger.warn({ err: error }, 'webhook listener connection lost; reconnecting');
      retry();
    });
    next.on('end', () => {
      if (!stopped) retry();
    });
    next.on('notification', () => void round());
    try {
      await next.connect();
      await next.query(`LISTEN ${WEBHOOK_CHANNEL}`);
      client = next;
      // What was committed while no one listened.
      void round();
    } catch (error) {
      logger.warn({ err: error }, 'webhook listener could not connect; trying again');
      retry();
    }
  };
  void listen();

  const timer = setInterval(() => void round(), pollSeconds * 1000);
  timer.unref();
  return {
    wake: round,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      clearTimeout(reconnect);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      await last?.end().catch(() => undefined);
      await running;
    },
  };
}

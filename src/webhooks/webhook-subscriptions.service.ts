import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import type { SecretBox } from '../identity/secrets';
import type { Config } from '../config';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isOneLine } from '../shared/forbidden-characters';
import { checkTarget, type Resolve, type TargetRules, targetRefusal, systemResolve } from './webhook-target';

/** A subscription as its organisation sees it: never its secret. */
export interface Subscription {
  id: string;
  url: string;
  watchListId: string | null;
  watchListName: string | null;
  description: string;
  createdAt: Date;
  createdBy: string | null;
  createdWithApiKey: string | null;
  consecutiveFailures: number;
  disabledAt: Date | null;
  disabledReason: string | null;
}

/** One attempt of the delivery log. */
export interface AttemptRow {
  deliveryId: string;
  watchEventId: string;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  deliveredAt: Date | null;
  givenUpAt: Date | null;
  /** When the delivery is tried again, while it is still waiting (neither delivered nor given up). */
  nextAttemptAt: Date | null;
}

/** Who changes a subscription: a buyer on the web, or an API key of the organisation. */
export interface SubscriptionActor {
  organisationId: string;
  /** The audit actor (`buyer:<id>`, `api_key:<id>`). */
  actor: string;
  userId?: string;
  apiKeyId?: string;
}

/** The target rules, and how many subscriptions one organisation may have. */
export interface SubscriptionRules extends TargetRules {
  maxSubscriptions: number;
}

/** The subscription rules of these settings: one source for the web pages and the API. */
export function subscriptionRulesOf(
  config: Pick<Config, 'env' | 'webhookAllowPrivateTargets' | 'webhookMaxSubscriptions'>,
): SubscriptionRules {
  return {
    production: config.env === 'production',
    allowPrivate: config.webhookAllowPrivateTargets,
    maxSubscriptions: config.webhookMaxSubscriptions,
  };
}

export interface NewSubscription {
  url: string;
  watchListId: string | null;
  description: string;
}

/**
 * A new signing secret in the Standard Webhooks form: `whsec_` and the base64 of 32 random bytes
 * (the specification asks for 24 to 64).
 */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const COLUMNS = `s.id, s.url, s.watch_list_id, l.name AS watch_list_name, s.description, s.created_at,
  s.created_by, s.created_with_api_key, s.consecutive_failures, s.disabled_at, s.disabled_reason`;

interface SubscriptionRecord {
  id: string;
  url: string;
  watch_list_id: string | null;
  watch_list_name: string | null;
  description: string;
  created_at: Date;
  created_by: string | null;
  created_with_api_key: string | null;
  consecutive_failures: number;
  disabled_at: Date | null;
  disabled_reason: string | null;
}

const toSubscription = (r: SubscriptionRecord): Subscription => ({
  id: r.id,
  url: r.url,
  watchListId: r.watch_list_id,
  watchListName: r.watch_list_name,
  description: r.description,
  createdAt: r.created_at,
  createdBy: r.created_by,
  createdWithApiKey: r.created_with_api_key,
  consecutiveFailures: r.consecutive_failures,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The organisation's subscriptions, newest first. */
export async function listSubscriptions(
  manager: EntityManager,
  organisationId: string,
): Promise<Subscription[]> {
  const rows = await manager.query<SubscriptionRecord[]>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions s LEFT JOIN watch_lists l ON l.id = s.watch_list_id
      WHERE s.buyer_organisation_id = $1 ORDER BY s.created_at DESC, s.id`,
    [organisationId],
  );
  return rows.map(toSubscription);
}

/** One subscription of the organisation; NotFoundError for another organisation's (or none). */
export async function getSubscription(
  manager: EntityManager,
  organisationId: string,
  id: string,
): Promise<Subscription> {
  if (!UUID.test(id)) throw new NotFoundError();
  const rows = await manager.query<SubscriptionRecord[]>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions s LEFT JOIN watch_lists l ON l.id = s.watch_list_id
      WHERE s.buyer_organisation_id = $1 AND s.id = $2`,
    [organisationId, id],
  );
  if (!rows[0]) throw new NotFoundError();
  return toSubscription(rows[0]);
}

/** A subscription's URL and encrypted secret, to send a test event; NotFoundError for another organisation's. */
export async function subscriptionTarget(
  manager: EntityManager,
  organisationId: string,
  id: string,
): Promise<{ url: string; sealedSecret: string }> {
  if (!UUID.test(id)) throw new NotFoundError();
  const rows = await manager.query<{ url: string; secret: string }[]>(
    `SELECT url, secret FROM webhook_subscriptions WHERE buyer_organisation_id = $1 AND id = $2`,
    [organisationId, id],
  );
  if (!rows[0]) throw new NotFoundError();
  return { url: rows[0].url, sealedSecret: rows[0].secret };
}

/** The organisation's watch lists, for the form's choice. */
export async function organisationWatchLists(
  manager: EntityManager,
  organisationId: string,
): Promise<{ id: string; name: string }[]> {
  return manager.query(
    `SELECT id, name FROM watch_lists WHERE buyer_organisation_id = $1 ORDER BY name, id`,
    [organisationId],
  );
}

/**
 * Checks a new subscription's fields; throws ValidationError with the problems per field
 * (`url`, `watchList`, `description`): the URL by the target rules (resolving its host name),
 * the watch list one of the organisation's.
 */
async function validate(
  manager: EntityManager,
  organisationId: string,
  input: NewSubscription,
  rules: TargetRules,
  resolve: Resolve,
): Promise<void> {
  const fields: Record<string, string[]> = {};
  const url = input.url.trim();
  if (!url) fields.url = ['webhooks.invalid.urlMissing'];
  else {
    const refusal = await checkTarget(url, rules, resolve);
    if (refusal) fields.url = [`webhooks.refused.${refusal}`];
  }
  if (input.description.length > 200) fields.description = ['webhooks.invalid.descriptionTooLong'];
  else if (!isOneLine(input.description.trim())) fields.description = ['validation.oneLine'];
  if (input.watchListId !== null) {
    const found = UUID.test(input.watchListId)
      ? await manager.query<unknown[]>(
          `SELECT 1 FROM watch_lists WHERE id = $1 AND buyer_organisation_id = $2`,
          [input.watchListId, organisationId],
        )
      : [];
    if (found.length === 0) fields.watchList = ['webhooks.invalid.watchList'];
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(fields);
}

/**
 * Makes a subscription and answers it with its signing secret, the only time the secret is
 * shown; it is stored encrypted (it must be read to sign every delivery, so a hash would not do).
 * An organisation that has `rules.maxSubscriptions` already is refused (ValidationError on `url`);
 * the organisation's row is locked while counting, so two requests at once cannot both pass.
 */
export async function createSubscription(
  dataSource: DataSource,
  by: SubscriptionActor,
  input: NewSubscription,
  rules: SubscriptionRules,
  box: SecretBox,
  now: Date,
  resolve: Resolve = systemResolve,
): Promise<{ subscription: Subscription; secret: string }> {
  await validate(dataSource.manager, by.organisationId, input, rules, resolve);
  const secret = newSigningSecret();
  return dataSource.transaction(async (m) => {
    await m.query(`SELECT 1 FROM buyer_organisations WHERE id = $1 FOR UPDATE`, [by.organisationId]);
    const [{ n }] = await m.query<[{ n: number }]>(
      `SELECT count(*)::int AS n FROM webhook_subscriptions WHERE buyer_organisation_id = $1`,
      [by.organisationId],
    );
    if (n >= rules.maxSubscriptions) {
      throw new ValidationError({ url: ['webhooks.invalid.tooManySubscriptions'] }, undefined, {
        max: rules.maxSubscriptions,
      });
    }
    const rows = await m.query<{ id: string }[]>(
      `INSERT INTO webhook_subscriptions
         (buyer_organisation_id, watch_list_id, url, secret, description, created_by, created_with_api_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        by.organisationId,
        input.watchListId,
        input.url.trim(),
        box.encrypt(secret),
        input.description.trim(),
        by.userId ?? null,
        by.apiKeyId ?? null,
        now,
      ],
    );
    const id = rows[0]!.id;
    await appendAuditEvent(m, now, {
      actor: by.actor,
      action: 'webhook_subscription.created',
      subjectType: 'webhook_subscription',
      subjectId: id,
      data: { organisationId: by.organisationId, url: input.url.trim(), watchListId: input.watchListId },
    });
    return { subscription: await getSubscription(m, by.organisationId, id), secret };
  });
}

/**
 * Turns a disabled subscription on again, its failure streak reset; the URL must still pass the
 * rules (a rule may have become stricter). Pending deliveries are sent again, those given up not.
 */
export async function enableSubscription(
  dataSource: DataSource,
  by: SubscriptionActor,
  id: string,
  rules: TargetRules,
  now: Date,
): Promise<Subscription> {
  return dataSource.transaction(async (m) => {
    const current = await getSubscription(m, by.organisationId, id);
    if (current.disabledAt === null) return current;
    const refusal = targetRefusal(current.url, rules);
    if (refusal) throw new ValidationError({ url: [`webhooks.refused.${refusal}`] });
    await m.query(
      `UPDATE webhook_subscriptions SET disabled_at = NULL, disabled_reason = NULL, consecutive_failures = 0
        WHERE id = $1`,
      [id],
    );
    // A retry waiting hours from the failures before: now, as the receiver is said to be back.
    await m.query(
      `UPDATE webhook_deliveries SET next_attempt_at = $2
        WHERE subscription_id = $1 AND delivered_at IS NULL AND given_up_at IS NULL`,
      [id, now],
    );
    await appendAuditEvent(m, now, {
      actor: by.actor,
      action: 'webhook_subscription.enabled',
      subjectType: 'webhook_subscription',
      subjectId: id,
      data: { organisationId: by.organisationId },
    });
    return getSubscription(m, by.organisationId, id);
  });
}

/** Removes a subscription with its deliveries and their log. */
export async function deleteSubscription(
  dataSource: DataSource,
  by: SubscriptionActor,
  id: string,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (m) => {
    const current = await getSubscription(m, by.organisationId, id);
    await m.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [id]);
    await appendAuditEvent(m, now, {
      actor: by.actor,
      action: 'webhook_subscription.deleted',
      subjectType: 'webhook_subscription',
      subjectId: id,
      data: { organisationId: by.organisationId, url: current.url },
    });
  });
}

/** The latest attempts of a subscription's deliveries, newest first (the delivery log). */
export async function deliveryLog(
  manager: EntityManager,
  organisationId: string,
  id: string,
  limit = 50,
): Promise<AttemptRow[]> {
  await getSubscription(manager, organisationId, id);
  const rows = await manager.query<
    {
      delivery_id: string;
      watch_event_id: string;
      attempted_at: Date;
      duration_ms: number;
      status_code: number | null;
      error: string | null;
      delivered_at: Date | null;
      given_up_at: Date | null;
      next_attempt_at: Date | null;
    }[]
  >(
    `SELECT d.id AS delivery_id, d.watch_event_id, a.attempted_at, a.duration_ms, a.status_code, a.error,
            d.delivered_at, d.given_up_at,
            CASE WHEN d.delivered_at IS NULL AND d.given_up_at IS NULL THEN d.next_attempt_at END AS next_attempt_at
       FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
      WHERE d.subscription_id = $1
      ORDER BY a.id DESC LIMIT $2`,
    [id, limit],
  );
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    watchEventId: String(r.watch_event_id),
    attemptedAt: r.attempted_at,
    durationMs: r.duration_ms,
    statusCode: r.status_code,
    error: r.error,
    deliveredAt: r.delivered_at,
    givenUpAt: r.given_up_at,
    nextAttemptAt: r.next_attempt_at,
  }));
}

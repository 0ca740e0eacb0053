import type { EntityManager } from 'typeorm';
import type { WatchEventKind } from '../watch/watch-events';

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  createdAt: Date;
  attempts: number;
  url: string;
  sealedSecret: string;
  event: {
    id: string;
    kind: WatchEventKind;
    kvkNumber: string;
    occurredAt: Date;
    recordedAt: Date;
    data: Record<string, unknown>;
  };
}

/**
 * Claims up to `limit` due deliveries of active subscriptions for `leaseMs`: their next attempt
 * moves past the lease, so another instance (or this one's next tick) skips them while this one
 * sends, and picks them up again if this one dies mid-way. SKIP LOCKED: two instances claiming at
 * once get different rows, never the same one.
 */
export async function claimDueDeliveries(
  manager: EntityManager,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const rows = await manager.query<
    {
      id: string;
      subscription_id: string;
      created_at: Date;
      attempts: number;
      url: string;
      secret: string;
      event_id: string;
      kind: WatchEventKind;
      kvk_number: string;
      occurred_at: Date;
      recorded_at: Date;
      data: Record<string, unknown>;
    }[]
  >(
    `WITH claimed AS (
       UPDATE webhook_deliveries d
          SET next_attempt_at = $1::timestamptz + make_interval(secs => $2::double precision / 1000)
        WHERE d.id IN (
          SELECT w.id FROM webhook_deliveries w
            JOIN webhook_subscriptions s ON s.id = w.subscription_id AND s.disabled_at IS NULL
           WHERE w.delivered_at IS NULL AND w.given_up_at IS NULL AND w.next_attempt_at <= $1
           ORDER BY w.next_attempt_at, w.id
           LIMIT $3
           FOR UPDATE OF w SKIP LOCKED)
       RETURNING d.id, d.subscription_id, d.created_at, d.attempts, d.watch_event_id)
     SELECT c.id, c.subscription_id, c.created_at, c.attempts, s.url, s.secret,
            e.id AS event_id, e.kind, e.kvk_number, e.occurred_at, e.recorded_at, e.data
       FROM claimed c
       JOIN webhook_subscriptions s ON s.id = c.subscription_id
       JOIN watch_events e ON e.id = c.watch_event_id`,
    [now, leaseMs, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    createdAt: r.created_at,
    attempts: r.attempts,
    url: r.url,
    sealedSecret: r.secret,
    event: {
      id: String(r.event_id),
      kind: r.kind,
      kvkNumber: r.kvk_number.trim(),
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
      data: r.data,
    },
  }));
}

/** Writes one attempt to the delivery log. */
export async function insertAttempt(
  manager: EntityManager,
  deliveryId: string,
  at: Date,
  durationMs: number,
  statusCode: number | undefined,
  error: string | undefined,
): Promise<void> {
  await manager.query(
    `INSERT INTO webhook_attempts (delivery_id, attempted_at, duration_ms, status_code, error)
     VALUES ($1, $2, $3, $4, $5)`,
    [deliveryId, at, durationMs, statusCode ?? null, error ?? null],
  );
}

/** A delivered delivery, and its subscription's failure streak ended. */
export async function markDelivered(
  manager: EntityManager,
  deliveryId: string,
  subscriptionId: string,
  at: Date,
  statusCode: number,
): Promise<void> {
  await manager.query(
    `UPDATE webhook_deliveries
        SET delivered_at = $2, attempts = attempts + 1, last_status = $3, last_error = NULL
      WHERE id = $1`,
    [deliveryId, at, statusCode],
  );
  await manager.query(`UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = $1`, [
    subscriptionId,
  ]);
}

/**
 * A failed attempt: the delivery's next attempt (or its end), and its subscription's streak one
 * longer. Answers the streak and when the subscription last succeeded (or was made).
 */
export async function markFailed(
  manager: EntityManager,
  deliveryId: string,
  subscriptionId: string,
  outcome: { statusCode: number | undefined; error: string },
  next: { retryAt: Date } | { givenUpAt: Date },
): Promise<{ consecutiveFailures: number; lastSuccessOrCreation: Date; disabledAt: Date | null }> {
  await manager.query(
    `UPDATE webhook_deliveries
        SET attempts = attempts + 1, last_status = $2, last_error = $3,
            next_attempt_at = coalesce($4, next_attempt_at), given_up_at = $5
      WHERE id = $1`,
    [
      deliveryId,
      outcome.statusCode ?? null,
      outcome.error,
      'retryAt' in next ? next.retryAt : null,
      'givenUpAt' in next ? next.givenUpAt : null,
    ],
  );
  // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected].
  const [rows] = await manager.query<
    [{ consecutive_failures: number; last_success: Date; disabled_at: Date | null }[], number]
  >(
    `UPDATE webhook_subscriptions s SET consecutive_failures = consecutive_failures + 1
      WHERE id = $1
      RETURNING consecutive_failures, disabled_at,
        coalesce((SELECT max(delivered_at) FROM webhook_deliveries WHERE subscription_id = s.id), s.created_at) AS last_success`,
    [subscriptionId],
  );
  const row = rows[0]!;
  return {
    consecutiveFailures: row.consecutive_failures,
    lastSuccessOrCreation: row.last_success,
    disabledAt: row.disabled_at,
  };
}

/** Disables a subscription (if active); answers whether this call did, and who made it. */
export async function disableSubscription(
  manager: EntityManager,
  subscriptionId: string,
  at: Date,
  reason: string,
): Promise<{ organisationId: string; createdBy: string | null; url: string } | undefined> {
  const [rows] = await manager.query<
    [{ buyer_organisation_id: string; created_by: string | null; url: string }[], number]
  >(
    `UPDATE webhook_subscriptions SET disabled_at = $2, disabled_reason = $3
      WHERE id = $1 AND disabled_at IS NULL
      RETURNING buyer_organisation_id, created_by, url`,
    [subscriptionId, at, reason],
  );
  const row = rows[0];
  return row
    ? { organisationId: row.buyer_organisation_id, createdBy: row.created_by, url: row.url }
    : undefined;
}

/**
 * Who hears that a subscription was disabled: the person who made it while they are an active
 * buyer of the organisation; else (made with an API key, or they left) every active buyer of it.
 */
export async function disabledSubscriptionRecipients(
  manager: EntityManager,
  organisationId: string,
  createdBy: string | null,
): Promise<string[]> {
  const rows = await manager.query<{ email: string; creator: boolean }[]>(
    `SELECT email, id = $2 AS creator FROM users
      WHERE role = 'buyer' AND buyer_organisation_id = $1 AND disabled_at IS NULL
      ORDER BY email`,
    [organisationId, createdBy],
  );
  const creator = rows.filter((r) => r.creator);
  return (creator.length > 0 ? creator : rows).map((r) => r.email);
}

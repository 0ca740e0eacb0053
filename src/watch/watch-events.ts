import type { EntityManager } from 'typeorm';

/** What a watch event says happened to a watched supplier (issue 18 §3). */
export const WATCH_EVENT_KINDS = [
  'status_changed',
  'attestation_changed',
  'listing_ends_before_contract',
] as const;
export type WatchEventKind = (typeof WATCH_EVENT_KINDS)[number];

/** The channel a committed watch event is announced on: webhook senders LISTEN on it. */
export const WEBHOOK_CHANNEL = 'webhook_deliveries';

export interface NewWatchEvent {
  kind: WatchEventKind;
  providerId: string;
  kvkNumber: string;
  /** When it happened by the rules (a status's `since`), not when it was noticed. */
  occurredAt: Date;
  /** Only this entry's list is told (a listing that ends before this entry's contract does). */
  watchListEntryId?: string | null;
  /** What the notice says: from/to status, reason, instants, attestation number; no personal data. */
  data: Record<string, unknown>;
}

/**
 * Records a watch event in the caller's transaction and fans it out there too: a notification
 * for each watch list entry's owner who wants mail (at once or in the day's digest, as their
 * account says), and a delivery for each active webhook subscription whose organisation watches
 * the supplier (in the subscription's list, when it names one). The deliveries are announced on
 * WEBHOOK_CHANNEL, which PostgreSQL sends only when the transaction commits. Answers the event's id.
 *
 * Two statements of fixed shape whatever the number of watchers (the watch_list_entries index on
 * kvk_number finds them), so a reviewer's decision on a much-watched supplier stays quick.
 */
export async function recordWatchEvent(
  manager: EntityManager,
  event: NewWatchEvent,
  now: Date,
): Promise<string> {
  const rows = await manager.query<{ id: string }[]>(
    `INSERT INTO watch_events (kind, provider_id, kvk_number, watch_list_entry_id, occurred_at, recorded_at, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id`,
    [
      event.kind,
      event.providerId,
      event.kvkNumber,
      event.watchListEntryId ?? null,
      event.occurredAt,
      now,
      JSON.stringify(event.data),
    ],
  );
  const id = rows[0]!.id;
  // The entries told: every entry for the supplier, or the one entry the event is about.
  const entries = `
    SELECT e.id AS entry_id, l.id AS list_id, l.owner_id, l.buyer_organisation_id
      FROM watch_list_entries e JOIN watch_lists l ON l.id = e.watch_list_id
     WHERE CASE WHEN $2::uuid IS NULL THEN e.kvk_number = $3 ELSE e.id = $2::uuid END`;
  await manager.query(
    `INSERT INTO watch_notifications (watch_event_id, user_id, watch_list_entry_id, mode, created_at)
     SELECT $1, u.id, w.entry_id, u.watch_mail, $4
       FROM (${entries}) w JOIN users u ON u.id = w.owner_id
      WHERE u.role = 'buyer' AND u.disabled_at IS NULL AND u.watch_mail <> 'none'`,
    [id, event.watchListEntryId ?? null, event.kvkNumber, now],
  );
  const deliveries = await manager.query<unknown[]>(
    `INSERT INTO webhook_deliveries (subscription_id, watch_event_id, created_at, next_attempt_at)
     SELECT DISTINCT s.id, $1::bigint, $4::timestamptz, $4::timestamptz
       FROM (${entries}) w
       JOIN webhook_subscriptions s ON s.buyer_organisation_id = w.buyer_organisation_id
        AND (s.watch_list_id IS NULL OR s.watch_list_id = w.list_id)
      WHERE s.disabled_at IS NULL
     ON CONFLICT (subscription_id, watch_event_id) DO NOTHING
     RETURNING id`,
    [id, event.watchListEntryId ?? null, event.kvkNumber, now],
  );
  if (deliveries.length > 0) await manager.query(`SELECT pg_notify($1, $2)`, [WEBHOOK_CHANNEL, id]);
  return id;
}

import type { EntityManager } from 'typeorm';
import type { StatusEventKind } from './status-rules';

/**
 * The register-wide change feed as rows: the public status events in the order of their ids. Ids
 * are handed out in commit order (migration StatusEventsInCommitOrder), so "after id X" never skips
 * an event that commits later.
 *
 * Public: the provider's identity is confirmed, and the event came after the confirmation
 * (`public_from_event`, set by a trigger under the same lock; migration StatusEventsInCommitOrder).
 * Events from before it (a first application's submission) stay out: they would become public at
 * the confirmation's commit with an id below what a client may already have read, so showing them
 * would break the promise that nothing appears behind a cursor. They are still in the provider's own
 * history.
 */
const PUBLIC_EVENT = `p.identity_confirmed_at IS NOT NULL AND e.id > p.public_from_event`;

export interface FeedEventRow {
  /** A bigint, as text. */
  id: string;
  provider_id: string;
  kind: StatusEventKind;
  effective_at: Date;
  recorded_at: Date;
  reason: string | null;
  kvk_number: string;
  legal_name: string;
}

const FEED_COLUMNS = `e.id::text AS id, e.provider_id, e.kind, e.effective_at, e.recorded_at, e.reason,
                      p.kvk_number, p.legal_name`;

/** Up to `limit` public status events with an id above `after`, oldest first; only these providers' when `kvkNumbers` is given. */
export function publicStatusEventsAfter(
  manager: EntityManager,
  after: string,
  limit: number,
  kvkNumbers?: string[],
): Promise<FeedEventRow[]> {
  const byProvider = kvkNumbers ? 'AND p.kvk_number = ANY($3::text[])' : '';
  return manager.query<FeedEventRow[]>(
    `SELECT ${FEED_COLUMNS}
       FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE e.id > $1::bigint AND ${PUBLIC_EVENT} ${byProvider}
      ORDER BY e.id LIMIT $2`,
    kvkNumbers ? [after, limit, kvkNumbers] : [after, limit],
  );
}

/** The latest `limit` public status events, newest first. */
export function latestPublicStatusEvents(manager: EntityManager, limit: number): Promise<FeedEventRow[]> {
  return manager.query<FeedEventRow[]>(
    `SELECT ${FEED_COLUMNS}
       FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE ${PUBLIC_EVENT}
      ORDER BY e.id DESC LIMIT $1`,
    [limit],
  );
}

/** The public status events numbered `offset + 1` to `offset + limit` in feed order (oldest first). */
export function publicStatusEventsFrom(
  manager: EntityManager,
  offset: number,
  limit: number,
): Promise<FeedEventRow[]> {
  return manager.query<FeedEventRow[]>(
    `SELECT ${FEED_COLUMNS}
       FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE ${PUBLIC_EVENT}
      ORDER BY e.id OFFSET $1 LIMIT $2`,
    [offset, limit],
  );
}

/** How many public status events there are, and the newest one's id and recording instant. */
export async function publicStatusEventCount(
  manager: EntityManager,
): Promise<{ count: number; lastId: string | null; lastRecordedAt: Date | null }> {
  const [row] = await manager.query<
    { count: string; last_id: string | null; last_recorded_at: Date | null }[]
  >(
    `SELECT count(*)::text AS count, max(e.id)::text AS last_id, max(e.recorded_at) AS last_recorded_at
       FROM status_events e JOIN providers p ON p.id = e.provider_id
      WHERE ${PUBLIC_EVENT}`,
  );
  return {
    count: Number(row?.count ?? 0),
    lastId: row?.last_id ?? null,
    lastRecordedAt: row?.last_recorded_at ?? null,
  };
}

/** The newest status event's id ('0' when there is none): no position of the feed lies beyond it. */
export async function lastStatusEventId(manager: EntityManager): Promise<string> {
  const [row] = await manager.query<{ last_id: string }[]>(
    `SELECT coalesce(max(id), 0)::text AS last_id FROM status_events`,
  );
  return row?.last_id ?? '0';
}

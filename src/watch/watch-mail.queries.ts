import type { EntityManager } from 'typeorm';
import type { WatchEventKind } from './watch-events';

/** A notification with what its mail says: the event, the entry and list, the person. */
export interface NotificationRow {
  /** A bigint, as text. */
  id: string;
  email: string;
  /** Whether the person may still be mailed about it (see notificationsOf). */
  mailable: boolean;
  /** The watch event's id (a bigint, as text): one change may reach a person through several lists. */
  event_id: string;
  kind: WatchEventKind;
  kvk_number: string;
  legal_name: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  reference: string | null;
  contract_end: string | null;
  list_id: string | null;
  list_name: string | null;
}

/**
 * Up to `limit` unmailed notifications of this mode, oldest first, locked for the transaction;
 * rows another transaction holds are skipped, so two senders never claim the same.
 */
export async function claimUnmailedNotifications(
  manager: EntityManager,
  mode: 'at_once' | 'daily',
  limit: number,
): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    `SELECT id::text AS id FROM watch_notifications
      WHERE mode = $1 AND mailed_at IS NULL ORDER BY watch_notifications.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [mode, limit],
  );
  return rows.map((r) => r.id);
}

/** Every unmailed 'daily' notification, locked for the transaction (the daily job runs once). */
export async function unmailedDailyNotificationIds(manager: EntityManager): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    `SELECT id::text AS id FROM watch_notifications
      WHERE mode = 'daily' AND mailed_at IS NULL ORDER BY watch_notifications.id FOR UPDATE SKIP LOCKED`,
  );
  return rows.map((r) => r.id);
}

/**
 * These notifications with what their mail says, in the order of their events. Mailable only
 * while the person is an active buyer who wants mail and the supplier's identity is confirmed.
 */
export function notificationsOf(manager: EntityManager, ids: string[]): Promise<NotificationRow[]> {
  return manager.query<NotificationRow[]>(
    `SELECT n.id::text AS id, u.email,
            (u.role = 'buyer' AND u.disabled_at IS NULL AND u.watch_mail <> 'none'
              AND p.identity_confirmed_at IS NOT NULL) AS mailable,
            ev.id::text AS event_id, ev.kind, ev.kvk_number, p.legal_name, ev.occurred_at, ev.data,
            e.reference, e.contract_end::text AS contract_end, l.id AS list_id, l.name AS list_name
       FROM watch_notifications n
       JOIN users u ON u.id = n.user_id
       JOIN watch_events ev ON ev.id = n.watch_event_id
       JOIN providers p ON p.id = ev.provider_id
       LEFT JOIN watch_list_entries e ON e.id = n.watch_list_entry_id
       LEFT JOIN watch_lists l ON l.id = e.watch_list_id
      WHERE n.id = ANY($1::bigint[])
      ORDER BY ev.id, n.id`,
    [ids],
  );
}

/** Marks these notifications mailed. */
export async function markMailed(manager: EntityManager, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await manager.query(`UPDATE watch_notifications SET mailed_at = $2 WHERE id = ANY($1::bigint[])`, [
    ids,
    now,
  ]);
}

/**
 * Closes these notifications without a mail: the table has no other state, so "mailed" here
 * means "done with"; nobody is mailed about them later.
 */
export async function closeNotifications(manager: EntityManager, ids: string[], now: Date): Promise<void> {
  await markMailed(manager, ids, now);
}

/**
 * A person changed how they hear of changes: their unmailed notifications follow (at once or in
 * the next summary), or, with 'none', are closed without a mail.
 */
export async function applyWatchMailToPending(
  manager: EntityManager,
  userId: string,
  mode: 'at_once' | 'daily' | 'none',
  now: Date,
): Promise<void> {
  if (mode === 'none')
    await manager.query(
      `UPDATE watch_notifications SET mailed_at = $2 WHERE user_id = $1 AND mailed_at IS NULL`,
      [userId, now],
    );
  else
    await manager.query(
      `UPDATE watch_notifications SET mode = $2 WHERE user_id = $1 AND mailed_at IS NULL AND mode <> $2`,
      [userId, mode],
    );
}

import type { EntityManager } from 'typeorm';
import { addDays } from '../shared/time';
import { recordWatchEvent } from './watch-events';

/** How many days ahead a buyer is told that a listing ends before their contract (the setting's default). */
export const DEFAULT_LISTING_END_NOTICE_DAYS = 90;

/**
 * Tells each watch list whose entry's contract runs past its supplier's listing, when that
 * listing ends within `days` from now: one `listing_ends_before_contract` event per entry and
 * listing end (the entry remembers the end it was told of; a renewal moves the end, and the
 * new one may be told of later). Only confirmed organisations with a listing in force or
 * suspended. In the caller's transaction; answers how many entries were told.
 */
export async function noticeListingEnds(manager: EntityManager, now: Date, days: number): Promise<number> {
  const due = await manager.query<
    {
      entry_id: string;
      provider_id: string;
      kvk_number: string;
      legal_name: string;
      valid_until: Date;
      contract_end: string;
    }[]
  >(
    `SELECT e.id AS entry_id, p.id AS provider_id, p.kvk_number, p.legal_name, s.valid_until,
            e.contract_end::text AS contract_end
       FROM watch_list_entries e
       JOIN providers p ON p.kvk_number = e.kvk_number AND p.identity_confirmed_at IS NOT NULL
       JOIN provider_status s ON s.provider_id = p.id
      WHERE e.contract_end IS NOT NULL
        AND s.status IN ('verantwoord', 'suspended')
        AND s.valid_until > $1 AND s.valid_until <= $2
        -- Before the end of the contract's last day, in the Dutch calendar.
        AND s.valid_until < ((e.contract_end + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam')
        AND e.listing_end_warned_for IS DISTINCT FROM s.valid_until
      ORDER BY e.id
      FOR UPDATE OF e`,
    [now, addDays(now, days)],
  );
  for (const row of due) {
    await recordWatchEvent(
      manager,
      {
        kind: 'listing_ends_before_contract',
        providerId: row.provider_id,
        kvkNumber: row.kvk_number,
        occurredAt: now,
        watchListEntryId: row.entry_id,
        data: {
          validUntil: row.valid_until.toISOString(),
          contractEnd: row.contract_end,
          kvkNumber: row.kvk_number,
          legalName: row.legal_name,
        },
      },
      now,
    );
  }
  if (due.length > 0)
    await manager.query(
      `UPDATE watch_list_entries e SET listing_end_warned_for = r.valid_until
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, valid_until timestamptz) WHERE e.id = r.id`,
      [JSON.stringify(due.map((r) => ({ id: r.entry_id, valid_until: r.valid_until.toISOString() })))],
    );
  return due.length;
}

import type { EntityManager } from 'typeorm';
import { insertReviewTask } from '../provider/review-tasks';

/*
 * The queries of a match's answer deadline (issue 19): which matches wait for an answer, their
 * reminders, and those past the deadline. A match waits while it has no answer and is not
 * dismissed, and its signal is not withdrawn: a withdrawn signal asks nothing of anyone.
 */

/** A match that waits for its provider's answer and whose deadline has not passed. */
export interface WaitingMatchRow {
  id: string;
  provider_id: string;
  signal_id: string;
  answer_due_at: Date;
  reminded_days: number[];
}

/**
 * The matches of current signals (not withdrawn, not expired on `today`) without an answer and not
 * dismissed, whose deadline is after `now` and no later than `until`, per provider, earliest first.
 */
export function matchesDueBefore(
  manager: EntityManager,
  now: Date,
  until: Date,
  today: string,
): Promise<WaitingMatchRow[]> {
  return manager.query<WaitingMatchRow[]>(
    `SELECT m.id, m.provider_id, m.signal_id, m.answer_due_at, m.reminded_days
       FROM signal_matches m JOIN signals s ON s.id = m.signal_id
      WHERE m.first_answered_at IS NULL AND m.dismissed_at IS NULL
        AND m.answer_due_at > $1 AND m.answer_due_at <= $2
        AND s.withdrawn_at IS NULL AND s.expires_on >= $3::date
      ORDER BY m.provider_id, m.answer_due_at, m.id`,
    [now, until, today],
  );
}

/** Records that the reminders of these days went out for a match (each day once). */
export async function addRemindedDays(
  manager: EntityManager,
  matchId: string,
  days: number[],
): Promise<void> {
  await manager.query(
    `UPDATE signal_matches
        SET reminded_days = ARRAY(SELECT DISTINCT d FROM unnest(reminded_days || $2::int[]) AS d ORDER BY d DESC)
      WHERE id = $1`,
    [matchId, days],
  );
}

/**
 * Marks the matches past their deadline without an answer (not dismissed, signal not withdrawn)
 * overdue at `now`; answers them, per provider. A match is marked once.
 */
export function markOverdue(
  manager: EntityManager,
  now: Date,
): Promise<{ id: string; provider_id: string }[]> {
  return manager
    .query<[{ id: string; provider_id: string }[], number]>(
      `UPDATE signal_matches m SET overdue_at = $1
         FROM signals s
        WHERE s.id = m.signal_id AND s.withdrawn_at IS NULL AND s.expires_on >= ($1::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date
          AND m.first_answered_at IS NULL AND m.dismissed_at IS NULL
          AND m.overdue_at IS NULL AND m.answer_due_at <= $1
        RETURNING m.id, m.provider_id`,
      [now],
    )
    .then(([rows]) =>
      rows.sort((a, b) => a.provider_id.localeCompare(b.provider_id) || a.id.localeCompare(b.id)),
    );
}

/**
 * How many of the provider's matches are overdue and still wait for an answer: not answered, not
 * dismissed, of a signal neither withdrawn nor expired (such a match asks no answer any more).
 */
export async function overdueCount(manager: EntityManager, providerId: string, now: Date): Promise<number> {
  const [row] = await manager.query<{ count: number }[]>(
    `SELECT count(*)::int AS count FROM signal_matches m JOIN signals s ON s.id = m.signal_id
      WHERE m.provider_id = $2 AND m.overdue_at IS NOT NULL AND m.first_answered_at IS NULL
        AND m.dismissed_at IS NULL AND s.withdrawn_at IS NULL AND s.expires_on >= ($1::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date`,
    [now, providerId],
  );
  return row?.count ?? 0;
}

/**
 * Opens the provider's review task of overdue matches, or updates the open one's count (one open
 * task per provider and kind: the index review_tasks_one_open); answers its id and whether it is new.
 */
export async function openOverdueTask(
  manager: EntityManager,
  providerId: string,
  count: number,
  now: Date,
): Promise<{ id: string; opened: boolean }> {
  const detail = { count: String(count) };
  const inserted = await insertReviewTask(manager, { providerId, kind: 'signal_match_overdue', detail }, now);
  if (inserted) return { id: inserted, opened: true };
  const [[updated]] = await manager.query<[{ id: string }[], number]>(
    `UPDATE review_tasks SET detail = $2
      WHERE provider_id = $1 AND kind = 'signal_match_overdue' AND resolved_at IS NULL RETURNING id`,
    [providerId, JSON.stringify(detail)],
  );
  return { id: updated!.id, opened: false };
}

/**
 * Sets the open overdue task's count to the figure of now (F8): after the provider answered or
 * dismissed a match, or a signal was withdrawn or expired. The task stays open (a reviewer closes
 * it, as any other); at 0 it says every match has been answered since. No open task: nothing.
 */
export async function recountOverdueTask(
  manager: EntityManager,
  providerId: string,
  now: Date,
): Promise<void> {
  const count = await overdueCount(manager, providerId, now);
  await manager.query(
    `UPDATE review_tasks SET detail = $2::jsonb
      WHERE provider_id = $1 AND kind = 'signal_match_overdue' AND resolved_at IS NULL
        AND detail IS DISTINCT FROM $2::jsonb`,
    [providerId, JSON.stringify({ count: String(count) })],
  );
}

/** The providers with an open overdue task. */
export async function providersWithOverdueTask(manager: EntityManager): Promise<string[]> {
  const rows = await manager.query<{ provider_id: string }[]>(
    `SELECT provider_id FROM review_tasks WHERE kind = 'signal_match_overdue' AND resolved_at IS NULL`,
  );
  return rows.map((r) => r.provider_id);
}

/** The provider's legal name, for its mail. */
export async function providerLegalName(manager: EntityManager, providerId: string): Promise<string> {
  const [row] = await manager.query<{ legal_name: string }[]>(
    `SELECT legal_name FROM providers WHERE id = $1`,
    [providerId],
  );
  return row?.legal_name ?? '';
}

import type { EntityManager } from 'typeorm';
import { insertReviewTask } from '../provider/review-tasks';
import { toLocalDate } from '../shared/time';

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
        WHERE s.id = m.signal_id AND s.withdrawn_at IS NULL AND s.expires_on >= $2::date
          AND m.first_answered_at IS NULL AND m.dismissed_at IS NULL
          AND m.overdue_at IS NULL AND m.answer_due_at <= $1
        RETURNING m.id, m.provider_id`,
      [now, toLocalDate(now)],
    )
    .then(([rows]) =>
      rows.sort((a, b) => a.provider_id.localeCompare(b.provider_id) || a.id.localeCompare(b.id)),
    );
}

/**
 * The overdue matches of a provider (the SQL expression `provider`) that still wait for an answer: not answered, not dismissed,
 * of a signal neither withdrawn nor expired on day `$1` (such a match asks no answer any more).
 */
const overdueWaiting = (provider: string) => `
  SELECT count(*)::int FROM signal_matches m JOIN signals s ON s.id = m.signal_id
   WHERE m.provider_id = ${provider} AND m.overdue_at IS NOT NULL AND m.first_answered_at IS NULL
     AND m.dismissed_at IS NULL AND s.withdrawn_at IS NULL AND s.expires_on >= $1::date`;

/** How many of the provider's matches are overdue and still wait for an answer (overdueWaiting). */
export async function overdueCount(manager: EntityManager, providerId: string, now: Date): Promise<number> {
  const [row] = await manager.query<{ count: number }[]>(`SELECT (${overdueWaiting('$2')}) AS count`, [
    toLocalDate(now),
    providerId,
  ]);
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
 * Sets the open overdue tasks' counts to the figure of now (F8), in one statement: after the
 * provider answered or dismissed a match (`providerIds` its own), or in the daily job for every open
 * task but those it just wrote (a signal withdrawn or expired since asks no answer any more). A task
 * stays open (a reviewer closes it, as any other); at 0 it says every match has been answered since.
 */
export async function recountOverdueTasks(
  manager: EntityManager,
  now: Date,
  which: { only: string[] } | { except: string[] },
): Promise<void> {
  await manager.query(
    `UPDATE review_tasks t SET detail = jsonb_build_object('count', c.count::text)
       FROM (SELECT r.id, (${overdueWaiting('r.provider_id')}) AS count
               FROM review_tasks r
              WHERE r.kind = 'signal_match_overdue' AND r.resolved_at IS NULL
                AND (r.provider_id = ANY ($2::uuid[])) = $3) AS c
      WHERE t.id = c.id AND t.detail IS DISTINCT FROM jsonb_build_object('count', c.count::text)`,
    [toLocalDate(now), 'only' in which ? which.only : which.except, 'only' in which],
  );
}

/** The provider's legal name, for its mail. */
export async function providerLegalName(manager: EntityManager, providerId: string): Promise<string> {
  const [row] = await manager.query<{ legal_name: string }[]>(
    `SELECT legal_name FROM providers WHERE id = $1`,
    [providerId],
  );
  return row?.legal_name ?? '';
}

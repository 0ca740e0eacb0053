import type { EntityManager } from 'typeorm';

/** One match of a provider, with its signal's public columns and the declared reseller it matched. */
export interface MatchRow {
  id: string;
  signal_id: string;
  number: string;
  category: string;
  confidence: string;
  observed_on: string;
  expires_on: string;
  sealed: string;
  withdrawn: boolean;
  /** Still current: the signal not withdrawn nor expired, the match not dismissed. */
  current: boolean;
  kind: 'exact' | 'possible';
  matched_on: string[];
  matched_at: Date;
  answer_due_at: Date;
  confirmed_at: Date | null;
  dismissed_at: Date | null;
  action: string | null;
  first_answered_at: Date | null;
  shared_at: Date | null;
  declared_reseller_id: string;
  reference: string;
  names: string[];
  removed: boolean;
}

const MATCH_COLUMNS = `
  m.id, m.signal_id, s.number::text AS number, s.category, s.confidence,
  to_char(s.observed_on, 'YYYY-MM-DD') AS observed_on, to_char(s.expires_on, 'YYYY-MM-DD') AS expires_on,
  s.sealed, s.withdrawn_at IS NOT NULL AS withdrawn,
  (s.withdrawn_at IS NULL AND s.expires_on >= $2::date AND m.dismissed_at IS NULL) AS current,
  m.kind, m.matched_on, m.matched_at, m.answer_due_at, m.confirmed_at, m.dismissed_at, m.action,
  m.first_answered_at, m.shared_at, m.declared_reseller_id, d.reference, d.names, d.removed_at IS NOT NULL AS removed`;

/**
 * One page of the provider's signals with all their matches (F21; a signal that matches two of its
 * resellers is one entry, so the page counts signals): first signals with a match waiting for its
 * answer (current, no answer yet), the earliest deadline first, so overdue ones lead; then the
 * answered current ones, newest first; then the earlier ones (withdrawn, expired, dismissed),
 * newest first. The rows come in that order, a signal's matches together, newest first. `total` is
 * how many signals there are in all.
 */
export async function matchPageOfProvider(
  manager: EntityManager,
  providerId: string,
  today: string,
  limit: number,
  offset: number,
): Promise<{ rows: MatchRow[]; total: number }> {
  const rows = await manager.query<(MatchRow & { total: number })[]>(
    `WITH x AS (
       SELECT ${MATCH_COLUMNS}, s.created_at AS signal_created_at
         FROM signal_matches m JOIN signals s ON s.id = m.signal_id JOIN declared_resellers d ON d.id = m.declared_reseller_id
        WHERE m.provider_id = $1),
     g AS (
       SELECT signal_id,
              min(CASE WHEN current AND action IS NULL THEN 0 WHEN current THEN 1 ELSE 2 END) AS rank,
              min(CASE WHEN current AND action IS NULL THEN answer_due_at END) AS due,
              max(matched_at) AS latest, max(signal_created_at) AS created,
              count(*) OVER ()::int AS total
         FROM x GROUP BY signal_id
        ORDER BY rank, due, latest DESC, created DESC, signal_id
        LIMIT $3 OFFSET $4)
     SELECT x.*, g.total FROM x JOIN g USING (signal_id)
      ORDER BY g.rank, g.due, g.latest DESC, g.created DESC, g.signal_id, x.matched_at DESC, x.id`,
    [providerId, today, limit, offset],
  );
  if (rows.length === 0 && offset > 0) {
    const [count] = await manager.query<{ total: number }[]>(
      `SELECT count(DISTINCT signal_id)::int AS total FROM signal_matches WHERE provider_id = $1`,
      [providerId],
    );
    return { rows: [], total: count?.total ?? 0 };
  }
  return { rows, total: rows[0]?.total ?? 0 };
}

/** One match of the provider (undefined when it is another's or none), locked when `forUpdate`. */
export async function matchOfProvider(
  manager: EntityManager,
  providerId: string,
  id: string,
  today: string,
  forUpdate = false,
): Promise<MatchRow | undefined> {
  const [row] = await manager.query<MatchRow[]>(
    `SELECT ${MATCH_COLUMNS}
       FROM signal_matches m JOIN signals s ON s.id = m.signal_id JOIN declared_resellers d ON d.id = m.declared_reseller_id
      WHERE m.provider_id = $1 AND m.id = $3
      ${forUpdate ? 'FOR UPDATE OF m' : ''}`,
    [providerId, today, id],
  );
  return row;
}

/** The provider's other matches of the same signal (its other resellers the signal matches), newest first. */
export function otherMatchesOfSignal(
  manager: EntityManager,
  providerId: string,
  match: { id: string; signal_id: string },
  today: string,
): Promise<MatchRow[]> {
  return manager.query<MatchRow[]>(
    `SELECT ${MATCH_COLUMNS}
       FROM signal_matches m JOIN signals s ON s.id = m.signal_id JOIN declared_resellers d ON d.id = m.declared_reseller_id
      WHERE m.provider_id = $1 AND m.signal_id = $3 AND m.id <> $4
      ORDER BY m.matched_at DESC, m.id`,
    [providerId, today, match.signal_id, match.id],
  );
}

/** The answers given for a match, newest first. */
export function answersOf(
  manager: EntityManager,
  matchId: string,
): Promise<{ action: string; note: string; answered_at: Date }[]> {
  return manager.query(
    `SELECT action, note, answered_at FROM signal_match_answers WHERE signal_match_id = $1 ORDER BY id DESC`,
    [matchId],
  );
}

export async function decideMatch(
  manager: EntityManager,
  id: string,
  decision: 'confirm' | 'dismiss',
  userId: string,
  at: Date,
): Promise<void> {
  await manager.query(
    `UPDATE signal_matches SET ${decision === 'confirm' ? 'confirmed_at' : 'dismissed_at'} = $2, decided_by = $3 WHERE id = $1`,
    [id, at, userId],
  );
}

export async function insertAnswer(
  manager: EntityManager,
  id: string,
  answer: { action: string; note: string; share: boolean },
  userId: string,
  at: Date,
): Promise<void> {
  await manager.query(
    `INSERT INTO signal_match_answers (signal_match_id, action, note, answered_at, answered_by) VALUES ($1, $2, $3, $4, $5)`,
    [id, answer.action, answer.note, at, userId],
  );
  await manager.query(
    `UPDATE signal_matches
        SET action = $2, first_answered_at = coalesce(first_answered_at, $3),
            shared_at = CASE WHEN $4 THEN coalesce(shared_at, $3) ELSE NULL END
      WHERE id = $1`,
    [id, answer.action, at, answer.share],
  );
}

/**
 * How many of the provider's signals have a current match waiting for its answer (not answered, not
 * dismissed, the signal neither withdrawn nor expired), and the earliest deadline among those
 * matches: for its account page. A signal that matches two of its resellers counts once.
 */
export async function waitingMatches(
  manager: EntityManager,
  providerId: string,
  today: string,
): Promise<{ waiting: number; earliestDue: Date | null }> {
  const [row] = await manager.query<{ waiting: number; earliest_due: Date | null }[]>(
    `SELECT count(DISTINCT m.signal_id)::int AS waiting, min(m.answer_due_at) AS earliest_due
       FROM signal_matches m JOIN signals s ON s.id = m.signal_id
      WHERE m.provider_id = $1 AND m.first_answered_at IS NULL AND m.dismissed_at IS NULL
        AND s.withdrawn_at IS NULL AND s.expires_on >= $2::date`,
    [providerId, today],
  );
  return { waiting: row?.waiting ?? 0, earliestDue: row?.earliest_due ?? null };
}

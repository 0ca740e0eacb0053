import type { DataSource, EntityManager } from 'typeorm';

/*
 * What reviewers learn of signals (issue 19 §3): per provider, how its matches were answered
 * against their deadlines. Counts, signal numbers and dates only: never a signal's content, never
 * which declared reseller matched.
 */

/** One provider's figures, as the queries count them at `now`. */
export interface SignalFiguresRow {
  provider_id: string;
  legal_name: string;
  kvk_number: string;
  matches: number;
  answered_on_time: number;
  answered_late: number;
  open: number;
  overdue: number;
  possible_undecided: number;
  possible_confirmed: number;
  declared: number;
  flagged: boolean;
}

/*
 * A match counts unless it is a dismissed possible match. Open and overdue: without an answer and
 * not dismissed, of a signal not withdrawn (a withdrawn signal asks no answer), deadline after or
 * at/before `now`.
 */
const FIGURES = `
  SELECT p.id AS provider_id, p.legal_name, p.kvk_number,
         count(*) FILTER (WHERE m.dismissed_at IS NULL)::int AS matches,
         count(*) FILTER (WHERE m.first_answered_at <= m.answer_due_at)::int AS answered_on_time,
         count(*) FILTER (WHERE m.first_answered_at > m.answer_due_at)::int AS answered_late,
         count(*) FILTER (WHERE m.first_answered_at IS NULL AND m.dismissed_at IS NULL
                            AND s.withdrawn_at IS NULL
                            AND s.expires_on >= ($1::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date AND m.answer_due_at > $1)::int AS open,
         count(*) FILTER (WHERE m.first_answered_at IS NULL AND m.dismissed_at IS NULL
                            AND s.withdrawn_at IS NULL
                            AND s.expires_on >= ($1::timestamptz AT TIME ZONE 'Europe/Amsterdam')::date AND m.answer_due_at <= $1)::int AS overdue,
         count(*) FILTER (WHERE m.kind = 'possible' AND m.confirmed_at IS NULL AND m.dismissed_at IS NULL)::int
           AS possible_undecided,
         count(*) FILTER (WHERE m.kind = 'possible' AND m.confirmed_at IS NOT NULL)::int AS possible_confirmed,
         (SELECT count(*)::int FROM declared_resellers d WHERE d.provider_id = p.id AND d.removed_at IS NULL)
           AS declared,
         EXISTS (SELECT 1 FROM review_tasks t WHERE t.provider_id = p.id AND t.kind = 'reseller_declarations_many'
                   AND t.resolved_at IS NULL) AS flagged
    FROM providers p
    JOIN signal_matches m ON m.provider_id = p.id
    JOIN signals s ON s.id = m.signal_id`;

/** The orders the overview offers: by name, or the most overdue matches first. */
export type SignalFiguresOrder = 'name' | 'overdue';

/** How many providers have any match. */
export async function providersWithMatchesCount(dataSource: DataSource | EntityManager): Promise<number> {
  const [row] = await dataSource.query<{ count: number }[]>(
    `SELECT count(DISTINCT provider_id)::int AS count FROM signal_matches`,
  );
  return row?.count ?? 0;
}

/** A page of the providers with any match and their figures at `now`. */
export function signalFiguresPage(
  dataSource: DataSource | EntityManager,
  now: Date,
  order: SignalFiguresOrder,
  offset: number,
  limit: number,
): Promise<SignalFiguresRow[]> {
  const orderBy = order === 'overdue' ? 'overdue DESC, open DESC, p.legal_name, p.id' : 'p.legal_name, p.id';
  return dataSource.query<SignalFiguresRow[]>(
    `${FIGURES} GROUP BY p.id ORDER BY ${orderBy} OFFSET $2 LIMIT $3`,
    [now, offset, limit],
  );
}

/** One provider's figures at `now`, or undefined when it never had a match. */
export async function signalFiguresOf(
  dataSource: DataSource | EntityManager,
  providerId: string,
  now: Date,
): Promise<SignalFiguresRow | undefined> {
  const [row] = await dataSource.query<SignalFiguresRow[]>(`${FIGURES} WHERE p.id = $2 GROUP BY p.id`, [
    now,
    providerId,
  ]);
  return row;
}

/** One of a provider's matches as reviewers see it: the signal's number and category, dates, no content. */
export interface ReviewedMatchRow {
  signal_number: string;
  category: string;
  kind: 'exact' | 'possible';
  matched_at: Date;
  answer_due_at: Date;
  first_answered_at: Date | null;
  confirmed_at: Date | null;
  dismissed_at: Date | null;
  withdrawn_at: Date | null;
  /** The signal's last day (yyyy-mm-dd): after it, the match asks no answer any more. */
  expires_on: string;
}

/** A provider's latest matches, newest first, at most `limit`. */
export function latestMatchesOf(
  dataSource: DataSource | EntityManager,
  providerId: string,
  limit: number,
): Promise<ReviewedMatchRow[]> {
  return dataSource.query<ReviewedMatchRow[]>(
    `SELECT s.number::text AS signal_number, s.category, m.kind, m.matched_at, m.answer_due_at,
            m.first_answered_at, m.confirmed_at, m.dismissed_at, s.withdrawn_at,
            to_char(s.expires_on, 'YYYY-MM-DD') AS expires_on
       FROM signal_matches m JOIN signals s ON s.id = m.signal_id
      WHERE m.provider_id = $1
      ORDER BY m.matched_at DESC, s.created_at DESC, s.id
      LIMIT $2`,
    [providerId, limit],
  );
}

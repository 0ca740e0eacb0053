import type { DataSource, EntityManager } from 'typeorm';

/** The advisory lock that keeps two instances from seeding the demo register at once. */
const SEED_LOCK = 7_306_117_003;

/**
 * Waits for the seeding lock, held until the caller's transaction ends: two instances starting on
 * one empty database seed it once.
 */
export async function lockSeeding(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
}

/** How many providers the register holds whose KvK number is not among `kvkNumbers`. */
export async function otherProviderCount(
  manager: EntityManager,
  kvkNumbers: readonly string[],
): Promise<number> {
  const [row] = await manager.query<{ others: number }[]>(
    'SELECT count(*)::int AS others FROM providers WHERE NOT (kvk_number = ANY($1::text[]))',
    [[...kvkNumbers]],
  );
  return row?.others ?? 0;
}

/** The highest KvK number taken in the range [first, last], or first - 1 while none is. */
export async function highestKvkNumberIn(
  dataSource: DataSource,
  first: number,
  last: number,
): Promise<number> {
  const [row] = await dataSource.query<{ max: number | null }[]>(
    'SELECT max(kvk_number::int)::int AS max FROM providers WHERE kvk_number BETWEEN $1 AND $2',
    [String(first), String(last)],
  );
  return row?.max ?? first - 1;
}

/** Fresh planner statistics for the tables the register's searches read. */
export async function analyzeRegisterTables(dataSource: DataSource): Promise<void> {
  await dataSource.query('ANALYZE providers, provider_status, status_events, search_words');
}

/**
 * The instants at which something in the register may change by itself or be due: every status
 * event's moment, listing end and planned suspension end, every code version's end of transition.
 * With `listingEnds` apart, so that the caller can add the reminder days before them.
 */
export async function instantsOfChange(
  dataSource: DataSource,
): Promise<{ instants: number[]; listingEnds: number[] }> {
  const rows = await dataSource.query<{ at: Date; listing_end: boolean }[]>(
    `SELECT effective_at AS at, false AS listing_end FROM status_events
     UNION SELECT suspended_until, false FROM status_events WHERE suspended_until IS NOT NULL
     UNION SELECT valid_until, true FROM status_events WHERE valid_until IS NOT NULL
     UNION SELECT transition_ends_at, false FROM code_of_conduct_versions`,
  );
  return {
    instants: rows.map((r) => r.at.getTime()),
    listingEnds: rows.filter((r) => r.listing_end).map((r) => r.at.getTime()),
  };
}

/** Whether an application waits for a reviewer (submitted or in review): the weekly digest's subject. */
export async function applicationsWaiting(dataSource: DataSource): Promise<boolean> {
  const rows = await dataSource.query<unknown[]>(
    `SELECT 1 FROM applications WHERE state IN ('submitted', 'in_review') LIMIT 1`,
  );
  return rows.length > 0;
}

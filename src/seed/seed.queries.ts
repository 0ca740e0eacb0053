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

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

/** The highest KvK number of the bulk range (from 80000000), or 79999999 while it is empty. */
export async function highestBulkKvkNumber(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ max: number }[]>(
    `SELECT coalesce(max(kvk_number::int), 79999999)::int AS max FROM providers WHERE kvk_number >= '80000000'`,
  );
  return row?.max ?? 79_999_999;
}

/** Fresh planner statistics for the tables the register's searches read. */
export async function analyzeRegisterTables(dataSource: DataSource): Promise<void> {
  await dataSource.query('ANALYZE providers, provider_status, status_events, search_words');
}

import { createHash } from 'node:crypto';
import type { QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import { databasePool } from './data-source';

/**
 * Runs a query as a named prepared statement on the pool's connections: PostgreSQL parses and
 * plans it once per connection instead of on every call. For the hottest reads only; values go in
 * parameters, so that the number of distinct texts stays small.
 */
export async function preparedQuery<R extends QueryResultRow>(
  dataSource: DataSource,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const name = `q${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  const result = await databasePool(dataSource).query<R>({ name, text, values });
  return result.rows;
}

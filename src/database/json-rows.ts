import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

interface ColumnMapping {
  property: string;
  column: string;
  kind: 'instant' | 'bigint' | 'plain';
}

const mappings = new WeakMap<object, ColumnMapping[]>();

/**
 * An entity from a row that PostgreSQL sent as JSON (`to_jsonb(row)`), using the entity's own
 * column metadata: column names become property names, timestamps Dates and bigints strings, as
 * TypeORM itself would give them. Lets one query bring a provider, its history and the code
 * versions together instead of three round trips through the query builder.
 */
export function entityFromJson<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T> & (new () => T),
  row: Record<string, unknown>,
): T {
  let mapping = mappings.get(target);
  if (!mapping) {
    mapping = dataSource.getMetadata(target).columns.map((c) => ({
      property: c.propertyName,
      column: c.databaseName,
      kind: ['timestamptz', 'timestamp with time zone'].includes(String(c.type))
        ? 'instant'
        : String(c.type) === 'bigint'
          ? 'bigint'
          : 'plain',
    }));
    mappings.set(target, mapping);
  }
  const entity = new target();
  for (const { property, column, kind } of mapping) {
    const value = row[column];
    (entity as Record<string, unknown>)[property] =
      value === null || value === undefined
        ? (value ?? null)
        : kind === 'instant'
          ? new Date(value as string)
          : kind === 'bigint' && (typeof value === 'number' || typeof value === 'string')
            ? String(value)
            : value;
  }
  return entity;
}

/**
 * Runs a query as a named prepared statement on the pool's connections: PostgreSQL parses and
 * plans it once per connection instead of on every call. For the hottest reads only; values go in
 * parameters, so that the number of distinct texts stays small.
 */
export async function preparedQuery<R>(
  dataSource: DataSource,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const name = `q${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  const result = await pool.query({ name, text, values });
  return result.rows as R[];
}

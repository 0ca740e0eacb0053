import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * The pg pool under a DataSource, for the libraries that keep their own rows in PostgreSQL
 * (sessions, rate limits, the security event limiter).
 */
export function databasePool(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}

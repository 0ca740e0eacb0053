/**
 * The DataSource the TypeORM CLI uses (for example `npx typeorm migration:generate -d dist/ormconfig.js`).
 * It works on the schema, so it connects as the owner role: MIGRATION_DATABASE_URL (outside
 * production DATABASE_URL stands in for it); the register itself opens its database through
 * src/database/connect.ts.
 */
import { loadConfig } from './src/config';
import { createRegisterDataSource } from './src/entities';

const config = loadConfig();
if (!config.migrationDatabaseUrl) {
  throw new Error(
    'Set MIGRATION_DATABASE_URL (or DATABASE_URL) to use the TypeORM CLI (npm start runs the embedded database for you).',
  );
}

export default createRegisterDataSource({ url: config.migrationDatabaseUrl });

/**
 * The DataSource the TypeORM CLI uses (for example `npx typeorm migration:generate -d dist/ormconfig.js`).
 * It needs DATABASE_URL; the register itself opens its database through src/database/connect.ts.
 */
import { loadConfig } from './src/config';
import { createDataSource } from './src/database/data-source';

const config = loadConfig();
if (!config.databaseUrl) {
  throw new Error('Set DATABASE_URL to use the TypeORM CLI (npm start runs the embedded database for you).');
}

export default createDataSource({ url: config.databaseUrl });

import { Transform, type Readable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import type { DataSource } from 'typeorm';
import type { PoolClient } from 'pg';
import { databasePool } from './data-source';
import { heavyWorkGate } from './heavy-work';
import { limitsOfDataSource } from './limits';

/** Rows are fetched from a cursor this many at a time: memory holds one batch, however many rows. */
const BATCH_ROWS = 500;

/**
 * The rows of a query, one at a time through `map`, from a database cursor on a connection of its
 * own (one consistent snapshot). The caller must call `release` when done.
 */
export async function streamQuery<R, T>(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
  map: (row: R) => T,
): Promise<{ records: Readable; release: () => Promise<void> }> {
  // A download holds its connection as long as the client takes to read it: heavy work, within
  // the heavy share of the pool (heavy-work.ts), so slow downloads never take every connection.
  const giveBack = await heavyWorkGate(dataSource).acquire();
  let client: PoolClient;
  try {
    // A pg client of the pool: the cursor stream is pg-query-stream's, with our batch size.
    client = await databasePool(dataSource).connect();
  } catch (error) {
    giveBack();
    throw error;
  }
  // The cursor is one statement for as long as the client takes to read: the long limit, on this
  // connection until it goes back to the pool (then the connection's own limit again).
  try {
    await client.query(`SELECT set_config('statement_timeout', $1, false)`, [
      String(limitsOfDataSource(dataSource).longWorkSeconds * 1000),
    ]);
  } catch (error) {
    client.release(error as Error);
    giveBack();
    throw error;
  }
  let released: Promise<void> | undefined;
  const release = () =>
    (released ??= client
      .query('RESET statement_timeout')
      .then(
        () => client.release(),
        // A connection that cannot be reset is not used again.
        (error: Error) => client.release(error),
      )
      .finally(giveBack));
  try {
    const rows: Readable = client.query(new QueryStream(sql, params, { batchSize: BATCH_ROWS }));
    const records = rows.pipe(
      new Transform({
        objectMode: true,
        transform(row: R, _encoding, done) {
          done(null, map(row));
        },
      }),
    );
    rows.on('error', (error) => records.destroy(error));
    records.on('close', () => rows.destroy());
    return { records, release };
  } catch (error) {
    await release();
    throw error;
  }
}

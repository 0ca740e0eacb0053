import type { DataSource } from 'typeorm';

/** How long a lease lasts without renewal: what an instance that dies keeps a place for at most. */
export const LEASE_SECONDS = 60;
/** A held lease is renewed this often, well within its end. */
const RENEW_MS = (LEASE_SECONDS * 1000) / 3;

/** A place held in the `concurrency_leases` table, renewed until it is given back. */
export interface Lease {
  release(): Promise<void>;
}

/**
 * Takes one of at most `limit` places under `key`, counted over every instance on this database;
 * answers undefined when all are held. Places whose lease ended (an instance that died mid-work)
 * are cleared first. One transaction-level advisory lock per key makes the count and the insert one
 * step, so two instances cannot both take the last place.
 */
export async function takeLease(
  dataSource: DataSource,
  key: string,
  limit: number,
): Promise<Lease | undefined> {
  const id = await dataSource.transaction(async (manager) => {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('concurrency_leases:' || $1::text, 0))`,
      [key],
    );
    await manager.query(`DELETE FROM concurrency_leases WHERE key = $1::varchar AND expires_at <= now()`, [
      key,
    ]);
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO concurrency_leases (key, expires_at)
         SELECT $1::varchar, now() + make_interval(secs => $3::int)
          WHERE (SELECT count(*) FROM concurrency_leases WHERE key = $1::varchar) < $2::int
       RETURNING id`,
      [key, limit, LEASE_SECONDS],
    );
    return rows[0]?.id;
  });
  if (id === undefined) return undefined;
  const renewal = setInterval(() => {
    dataSource
      .query(
        `UPDATE concurrency_leases SET expires_at = now() + make_interval(secs => $2::int) WHERE id = $1`,
        [id, LEASE_SECONDS],
      )
      // A renewal that fails leaves the lease to end by itself; the work goes on.
      .catch(() => undefined);
  }, RENEW_MS);
  renewal.unref();
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      // A release that fails (the database away) leaves the lease to end by itself.
      await dataSource.query(`DELETE FROM concurrency_leases WHERE id = $1`, [id]).catch(() => undefined);
    },
  };
}

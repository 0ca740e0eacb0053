import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Leases that count work running at once across every instance (at most N bulk checks per client):
 * a row per piece of work, with an end. A running instance renews its leases; one that dies stops
 * renewing, and its leases end by themselves, so a crash never keeps a client blocked.
 */
export class ConcurrencyLeases1764590000000 implements MigrationInterface {
  name = 'ConcurrencyLeases1764590000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE concurrency_leases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(255) NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX concurrency_leases_key_idx ON concurrency_leases (key, expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE concurrency_leases`);
  }
}

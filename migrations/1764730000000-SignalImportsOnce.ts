import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 (outside tries, F5): a signal import confirmed twice (a double click, the back button,
 * a retry) stored every signal twice, and providers got a duplicate match to answer. Each confirmed
 * import is recorded by the digest of its file per supplier, in the transaction that stores its
 * signals; the primary key makes a second confirm of the same file find the first (a concurrent
 * one waits for it and then finds it) and store nothing.
 */
export class SignalImportsOnce1764730000000 implements MigrationInterface {
  name = 'SignalImportsOnce1764730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signal_imports (
        signal_supplier_id uuid NOT NULL REFERENCES signal_suppliers (id) ON DELETE CASCADE,
        -- SHA-256 (hex) of the file as uploaded.
        digest char(64) NOT NULL,
        imported_at timestamptz NOT NULL,
        imported_by uuid REFERENCES users (id) ON DELETE SET NULL,
        signal_count integer NOT NULL,
        PRIMARY KEY (signal_supplier_id, digest)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signal_imports`);
  }
}

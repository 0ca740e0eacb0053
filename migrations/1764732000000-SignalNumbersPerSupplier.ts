import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19 (tester's F19): a signal's number counts that supplier's signals only. One global
 * sequence told every supplier, and every provider with two matches, how many signals all
 * suppliers had sent (a second supplier's first signal was SIG-000223).
 *
 * - `signal_suppliers.last_signal_number`: the supplier's counter, the number its latest signal got.
 * - A trigger before each insert into `signals` gives the row its supplier's next number: the
 *   counter's row is updated (and so locked) in the signal's own transaction, so two signals of
 *   one supplier never get the same number and a rolled-back signal gives its number back. Every
 *   inserter (the service, the seeds, the tests) gets its number the same way; none chooses one.
 * - Numbers are unique per supplier, not globally. Existing signals keep theirs; each supplier's
 *   counter starts after its highest existing number.
 */
export class SignalNumbersPerSupplier1764732000000 implements MigrationInterface {
  name = 'SignalNumbersPerSupplier1764732000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE signal_suppliers ADD COLUMN last_signal_number bigint NOT NULL DEFAULT 0
        CONSTRAINT signal_suppliers_last_signal_number_positive CHECK (last_signal_number >= 0)`);
    await q.query(`
      UPDATE signal_suppliers s SET last_signal_number = m.number
        FROM (SELECT signal_supplier_id, max(number) AS number FROM signals GROUP BY signal_supplier_id) m
       WHERE m.signal_supplier_id = s.id`);
    await q.query(`ALTER TABLE signals ALTER COLUMN number DROP IDENTITY`);
    await q.query(`ALTER TABLE signals DROP CONSTRAINT signals_number_key`);
    await q.query(
      `ALTER TABLE signals ADD CONSTRAINT signals_supplier_number_key UNIQUE (signal_supplier_id, number)`,
    );
    await q.query(`
      CREATE FUNCTION signal_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE signal_suppliers SET last_signal_number = last_signal_number + 1
         WHERE id = NEW.signal_supplier_id
        RETURNING last_signal_number INTO NEW.number;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER signal_numbered BEFORE INSERT ON signals
      FOR EACH ROW EXECUTE FUNCTION signal_numbered()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER signal_numbered ON signals`);
    await q.query(`DROP FUNCTION signal_numbered()`);
    await q.query(`ALTER TABLE signals DROP CONSTRAINT signals_supplier_number_key`);
    // One global sequence again: numbers per supplier repeat, so every signal is numbered anew in
    // the order it was made.
    await q.query(`
      UPDATE signals s SET number = n.number
        FROM (SELECT id, row_number() OVER (ORDER BY created_at, number, id) AS number FROM signals) n
       WHERE n.id = s.id`);
    await q.query(`ALTER TABLE signals ADD CONSTRAINT signals_number_key UNIQUE (number)`);
    await q.query(`ALTER TABLE signals ALTER COLUMN number ADD GENERATED ALWAYS AS IDENTITY`);
    await q.query(
      `SELECT setval(pg_get_serial_sequence('signals', 'number'), coalesce(max(number), 0) + 1, false) FROM signals`,
    );
    await q.query(`ALTER TABLE signal_suppliers DROP COLUMN last_signal_number`);
  }
}

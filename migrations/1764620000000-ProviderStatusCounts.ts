import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many providers have each status, public or not, kept by the database in the same transaction
 * as the status snapshot, so that a list page need not count the register (issue 15: counting every
 * provider joined to its status made each page 11–15× slower from 10,000 to 100,000 providers).
 *
 * - `provider_status.identity_confirmed` copies whether a reviewer confirmed the provider's
 *   identity (`providers.identity_confirmed_at IS NOT NULL`), so a count depends on the snapshot row
 *   alone. A row trigger on providers keeps the copy: it updates the snapshot row, which locks it,
 *   so a concurrent status change of the same provider waits and both are counted from the latest
 *   row. A new snapshot row reads the flag with FOR SHARE, so it waits for a confirmation in flight.
 * - `provider_status_counts` is append-only per write: every statement that inserts, updates or
 *   deletes snapshot rows adds one row per (status, public) it changed, with the difference.
 *   Writers never update a shared row, so they neither wait for each other nor deadlock; a count is
 *   the sum of the rows. Roughly every 64 rows added, the writer that passes the mark folds the
 *   rows into one per (status, public), if no other transaction is folding (an advisory lock,
 *   tried, never waited for) and only under READ COMMITTED (a folder under REPEATABLE READ could
 *   meet rows folded after its snapshot).
 * - Two covering indexes of the public providers by name and by KvK number let a page deep in the
 *   register skip entries without reading rows (search.queries.ts registerPage); two more give the
 *   open data's latest changes from the end of an index.
 */
export class ProviderStatusCounts1764620000000 implements MigrationInterface {
  name = 'ProviderStatusCounts1764620000000';

  async up(q: QueryRunner): Promise<void> {
    // No writer may change a snapshot or a confirmation between the copy and the count below.
    await q.query(`LOCK TABLE providers, provider_status IN SHARE MODE`);
    await q.query(`ALTER TABLE provider_status ADD COLUMN identity_confirmed boolean NOT NULL DEFAULT false`);
    await q.query(`
      UPDATE provider_status s SET identity_confirmed = true
        FROM providers p WHERE p.id = s.provider_id AND p.identity_confirmed_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE provider_status_counts (
        id bigserial PRIMARY KEY,
        status text NOT NULL,
        identity_confirmed boolean NOT NULL,
        n bigint NOT NULL
      )`);
    await q.query(`
      INSERT INTO provider_status_counts (status, identity_confirmed, n)
      SELECT status, identity_confirmed, count(*) FROM provider_status GROUP BY status, identity_confirmed`);

    await q.query(`
      CREATE FUNCTION provider_status_counts_fold() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('transaction_isolation') <> 'read committed'
           OR NOT pg_try_advisory_xact_lock(hashtext('provider_status_counts_fold')) THEN
          RETURN;
        END IF;
        WITH gone AS (DELETE FROM provider_status_counts RETURNING status, identity_confirmed, n)
        INSERT INTO provider_status_counts (status, identity_confirmed, n)
        SELECT status, identity_confirmed, sum(n) FROM gone GROUP BY status, identity_confirmed HAVING sum(n) <> 0;
      END $$`);
    // Adds the differences a statement made (rows of (status, identity_confirmed, n)), and folds
    // when the rows added pass a multiple of 64.
    await q.query(`
      CREATE FUNCTION provider_status_counts_add(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE added bigint;
      BEGIN
        INSERT INTO provider_status_counts (status, identity_confirmed, n)
        SELECT c.status, c.identity_confirmed, sum(c.n) FROM jsonb_to_recordset(changes)
            AS c(status text, identity_confirmed boolean, n bigint)
         GROUP BY c.status, c.identity_confirmed HAVING sum(c.n) <> 0;
        GET DIAGNOSTICS added = ROW_COUNT;
        IF added > 0 AND currval('provider_status_counts_id_seq') / 64 > (currval('provider_status_counts_id_seq') - added) / 64 THEN
          PERFORM provider_status_counts_fold();
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION provider_status_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE changes jsonb;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT jsonb_agg(jsonb_build_object('status', status, 'identity_confirmed', identity_confirmed, 'n', 1))
            INTO changes FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT jsonb_agg(jsonb_build_object('status', status, 'identity_confirmed', identity_confirmed, 'n', -1))
            INTO changes FROM old_rows;
        ELSE
          SELECT jsonb_agg(c) INTO changes FROM (
            SELECT jsonb_build_object('status', o.status, 'identity_confirmed', o.identity_confirmed, 'n', -1) AS c
              FROM old_rows o JOIN new_rows n USING (provider_id)
             WHERE (o.status, o.identity_confirmed) IS DISTINCT FROM (n.status, n.identity_confirmed)
            UNION ALL
            SELECT jsonb_build_object('status', n.status, 'identity_confirmed', n.identity_confirmed, 'n', 1)
              FROM old_rows o JOIN new_rows n USING (provider_id)
             WHERE (o.status, o.identity_confirmed) IS DISTINCT FROM (n.status, n.identity_confirmed)) AS d;
        END IF;
        IF changes IS NOT NULL THEN PERFORM provider_status_counts_add(changes); END IF;
        RETURN NULL;
      END $$`);
    const events: [string, string][] = [
      ['INSERT', 'NEW TABLE AS new_rows'],
      ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
      ['DELETE', 'OLD TABLE AS old_rows'],
    ];
    for (const [event, referencing] of events) {
      await q.query(`
        CREATE TRIGGER provider_status_counted_${event.toLowerCase()} AFTER ${event} ON provider_status
        REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION provider_status_counted()`);
    }
    // Nothing left to count after a TRUNCATE (only the owner may truncate; tests and repairs do).
    await q.query(`
      CREATE FUNCTION provider_status_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM provider_status_counts; RETURN NULL; END $$`);
    await q.query(`
      CREATE TRIGGER provider_status_counted_truncate AFTER TRUNCATE ON provider_status
      FOR EACH STATEMENT EXECUTE FUNCTION provider_status_truncated()`);

    // A new snapshot row takes the provider's confirmation, waiting for one in flight.
    await q.query(`
      CREATE FUNCTION provider_status_confirmation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.identity_confirmed := COALESCE(
          (SELECT identity_confirmed_at IS NOT NULL FROM providers WHERE id = NEW.provider_id FOR SHARE), false);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER provider_status_confirmation BEFORE INSERT ON provider_status
      FOR EACH ROW EXECUTE FUNCTION provider_status_confirmation()`);
    // A confirmation given or taken back moves the provider between the public and the other counts.
    await q.query(`
      CREATE FUNCTION providers_confirmation_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE provider_status SET identity_confirmed = NEW.identity_confirmed_at IS NOT NULL
         WHERE provider_id = NEW.id AND identity_confirmed <> (NEW.identity_confirmed_at IS NOT NULL);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER providers_confirmation_counted AFTER UPDATE OF identity_confirmed_at ON providers
      FOR EACH ROW WHEN ((OLD.identity_confirmed_at IS NULL) IS DISTINCT FROM (NEW.identity_confirmed_at IS NULL))
      EXECUTE FUNCTION providers_confirmation_counted()`);

    // The public register's orders, covering the key: a page deep in the register skips index
    // entries without reading the rows they point to. The name index holds legal_name too: the
    // planner takes an index-only scan only when every column the query names is in the index.
    await q.query(`
      CREATE INDEX providers_public_name_idx ON providers (lower(legal_name), kvk_number) INCLUDE (id, legal_name)
      WHERE identity_confirmed_at IS NOT NULL`);
    await q.query(`
      CREATE INDEX providers_public_kvk_idx ON providers (kvk_number) INCLUDE (id)
      WHERE identity_confirmed_at IS NOT NULL`);
    // The open data's version (its count and when it last changed) without reading the register.
    await q.query(`
      CREATE INDEX providers_public_changed_idx ON providers ((greatest(updated_at, identity_confirmed_at)))
      WHERE identity_confirmed_at IS NOT NULL`);
    await q.query(`
      CREATE INDEX provider_status_public_computed_idx ON provider_status (computed_at) WHERE identity_confirmed`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX provider_status_public_computed_idx`);
    await q.query(`DROP INDEX providers_public_changed_idx`);
    await q.query(`DROP INDEX providers_public_kvk_idx`);
    await q.query(`DROP INDEX providers_public_name_idx`);
    await q.query(`DROP TRIGGER providers_confirmation_counted ON providers`);
    await q.query(`DROP FUNCTION providers_confirmation_counted()`);
    await q.query(`DROP TRIGGER provider_status_confirmation ON provider_status`);
    await q.query(`DROP FUNCTION provider_status_confirmation()`);
    await q.query(`DROP TRIGGER provider_status_counted_truncate ON provider_status`);
    await q.query(`DROP FUNCTION provider_status_truncated()`);
    for (const event of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER provider_status_counted_${event} ON provider_status`);
    }
    await q.query(`DROP FUNCTION provider_status_counted()`);
    await q.query(`DROP FUNCTION provider_status_counts_add(jsonb)`);
    await q.query(`DROP FUNCTION provider_status_counts_fold()`);
    await q.query(`DROP TABLE provider_status_counts`);
    await q.query(`ALTER TABLE provider_status DROP COLUMN identity_confirmed`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Status event ids in commit order, so that the change feed (GET /api/v1/statuswijzigingen) can
 * page by id and never skip a change. A plain bigserial is not enough: a transaction takes its id
 * when it inserts and may commit after a transaction that took a higher id later, so a client that
 * has read up to the higher id would never see the lower one.
 *
 * Every insert now takes the audit chain's advisory lock first (the same lock every status change
 * takes anyway for its audit event, held until commit) and draws its id under it; the column has
 * no default any more (the sequence stays, owned by the column), so no id is drawn outside the lock. So ids are handed out one transaction at a time, and a transaction
 * that holds ids has committed (and is visible) before the next one can take any: whoever sees an id
 * sees every lower one. The lock is re-entrant within a transaction, so bulk inserts pay once.
 * An index on (provider_id, id) serves the feed filtered by KvK number.
 *
 * A provider's changes are public once a reviewer has confirmed who it is. Its events from before
 * that (a first application's submission) would become public at the confirmation's commit with ids
 * below what a client may already have read; so the feed shows a provider's events from the
 * confirmation on: `providers.public_from_event` is the highest status event id drawn when the
 * identity was confirmed (taken under the same lock, so no transaction can still be holding a lower
 * one), and the feed shows the events above it. Providers confirmed before this migration keep their
 * whole history in the feed (0): nobody can have read past it yet.
 */
export class StatusEventsInCommitOrder1764580000000 implements MigrationInterface {
  name = 'StatusEventsInCommitOrder1764580000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION status_events_commit_ordered_id() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The key of the audit chain's lock (src/audit/audit.queries.ts, CHAIN_LOCK).
        PERFORM pg_advisory_xact_lock(7306117001);
        NEW.id := nextval(pg_get_serial_sequence('status_events', 'id'));
        RETURN NEW;
      END $$`);
    await q.query(`ALTER TABLE status_events ALTER COLUMN id DROP DEFAULT`);
    await q.query(`
      CREATE TRIGGER status_events_commit_ordered_id BEFORE INSERT ON status_events
      FOR EACH ROW EXECUTE FUNCTION status_events_commit_ordered_id()`);
    await q.query(`CREATE INDEX status_events_provider_order_idx ON status_events (provider_id, id)`);

    await q.query(`ALTER TABLE providers ADD COLUMN public_from_event bigint`);
    await q.query(`UPDATE providers SET public_from_event = 0 WHERE identity_confirmed_at IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION providers_public_from_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.identity_confirmed_at IS NULL THEN
          NEW.public_from_event := NULL;
        ELSIF TG_OP = 'INSERT' OR OLD.identity_confirmed_at IS NULL THEN
          PERFORM pg_advisory_xact_lock(7306117001);
          NEW.public_from_event := coalesce((SELECT max(id) FROM status_events), 0);
        ELSE
          NEW.public_from_event := OLD.public_from_event;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER providers_public_from_event BEFORE INSERT OR UPDATE ON providers
      FOR EACH ROW EXECUTE FUNCTION providers_public_from_event()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER providers_public_from_event ON providers`);
    await q.query(`DROP FUNCTION providers_public_from_event()`);
    await q.query(`ALTER TABLE providers DROP COLUMN public_from_event`);
    await q.query(`DROP INDEX status_events_provider_order_idx`);
    await q.query(`DROP TRIGGER status_events_commit_ordered_id ON status_events`);
    await q.query(`DROP FUNCTION status_events_commit_ordered_id()`);
    await q.query(
      `ALTER TABLE status_events ALTER COLUMN id SET DEFAULT nextval(pg_get_serial_sequence('status_events', 'id')::regclass)`,
    );
  }
}

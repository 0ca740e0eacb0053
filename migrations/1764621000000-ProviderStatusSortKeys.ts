import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The register's name order beside each status snapshot, so that a page of one status by name
 * (the status filter, and the status sort cut by the kept counts) is picked in an index instead of
 * walking the whole register's name index and testing each provider's status (a page of a status
 * that 3 % of the providers have read some 9,000 rows at 100,000 providers).
 *
 * `provider_status.name_key` (`lower(providers.legal_name)`) and `kvk_number` copy the provider's,
 * kept by the triggers that keep `identity_confirmed` (migration ProviderStatusCounts): a new
 * snapshot row reads them with the confirmation, and a provider's update of any of them updates its
 * snapshot row in the same transaction.
 */
export class ProviderStatusSortKeys1764621000000 implements MigrationInterface {
  name = 'ProviderStatusSortKeys1764621000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE providers, provider_status IN SHARE MODE`);
    await q.query(`ALTER TABLE provider_status ADD COLUMN name_key text, ADD COLUMN kvk_number char(8)`);
    await q.query(`
      UPDATE provider_status s SET name_key = lower(p.legal_name), kvk_number = p.kvk_number
        FROM providers p WHERE p.id = s.provider_id`);
    await q.query(
      `ALTER TABLE provider_status ALTER COLUMN name_key SET NOT NULL, ALTER COLUMN kvk_number SET NOT NULL`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION provider_status_confirmation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT identity_confirmed_at IS NOT NULL, lower(legal_name), kvk_number
          INTO NEW.identity_confirmed, NEW.name_key, NEW.kvk_number
          FROM providers WHERE id = NEW.provider_id FOR SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION providers_confirmation_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE provider_status
           SET identity_confirmed = NEW.identity_confirmed_at IS NOT NULL, name_key = lower(NEW.legal_name),
               kvk_number = NEW.kvk_number
         WHERE provider_id = NEW.id
           AND (identity_confirmed, name_key, kvk_number)
               IS DISTINCT FROM (NEW.identity_confirmed_at IS NOT NULL, lower(NEW.legal_name), NEW.kvk_number);
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER providers_confirmation_counted ON providers`);
    await q.query(`
      CREATE TRIGGER providers_confirmation_counted AFTER UPDATE OF identity_confirmed_at, legal_name, kvk_number
      ON providers FOR EACH ROW
      WHEN ((OLD.identity_confirmed_at IS NULL) IS DISTINCT FROM (NEW.identity_confirmed_at IS NULL)
            OR lower(OLD.legal_name) IS DISTINCT FROM lower(NEW.legal_name) OR OLD.kvk_number IS DISTINCT FROM NEW.kvk_number)
      EXECUTE FUNCTION providers_confirmation_counted()`);
    await q.query(`
      CREATE INDEX provider_status_public_status_name_idx ON provider_status (status, name_key, kvk_number)
      INCLUDE (provider_id) WHERE identity_confirmed`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX provider_status_public_status_name_idx`);
    await q.query(`DROP TRIGGER providers_confirmation_counted ON providers`);
    await q.query(`
      CREATE TRIGGER providers_confirmation_counted AFTER UPDATE OF identity_confirmed_at ON providers
      FOR EACH ROW WHEN ((OLD.identity_confirmed_at IS NULL) IS DISTINCT FROM (NEW.identity_confirmed_at IS NULL))
      EXECUTE FUNCTION providers_confirmation_counted()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION providers_confirmation_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE provider_status SET identity_confirmed = NEW.identity_confirmed_at IS NOT NULL
         WHERE provider_id = NEW.id AND identity_confirmed <> (NEW.identity_confirmed_at IS NOT NULL);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION provider_status_confirmation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.identity_confirmed := COALESCE(
          (SELECT identity_confirmed_at IS NOT NULL FROM providers WHERE id = NEW.provider_id FOR SHARE), false);
        RETURN NEW;
      END $$`);
    await q.query(`ALTER TABLE provider_status DROP COLUMN name_key, DROP COLUMN kvk_number`);
  }
}

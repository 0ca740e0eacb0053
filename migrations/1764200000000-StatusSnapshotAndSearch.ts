import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A snapshot of every provider's status now, kept by the status rules (never by hand), so that
 * search, filters and sorting need no history walk per request; and trigram indexes for search.
 */
export class StatusSnapshotAndSearch1764200000000 implements MigrationInterface {
  name = 'StatusSnapshotAndSearch1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE provider_status (
        provider_id uuid PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
        status text NOT NULL CONSTRAINT provider_status_known CHECK (status IN (
          'verantwoord', 'not_listed', 'application_pending', 'rejected', 'expired', 'suspended', 'revoked',
          'code_of_conduct_outdated', 'aan_participation_ended')),
        since timestamptz,
        valid_until timestamptz,
        computed_at timestamptz NOT NULL,
        -- The next instant the status may change by time alone (an expiry, a planned end); NULL: none.
        next_change_at timestamptz
      )`);
    await q.query(`CREATE INDEX provider_status_status_idx ON provider_status (status)`);
    await q.query(`CREATE INDEX provider_status_due_idx ON provider_status (next_change_at)`);
    // Existing providers are due at once: the first read computes them by the rules.
    await q.query(`
      INSERT INTO provider_status (provider_id, status, computed_at, next_change_at)
      SELECT id, 'not_listed', '-infinity', '-infinity' FROM providers`);

    // array_to_string is only STABLE; for trade names it is safe to treat as IMMUTABLE.
    await q.query(`
      CREATE FUNCTION trade_names_text(names text[]) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lower(array_to_string(names, ' ')) $$`);
    await q.query(
      `CREATE INDEX providers_legal_name_trgm ON providers USING gin (lower(legal_name) gin_trgm_ops)`,
    );
    await q.query(
      `CREATE INDEX providers_trade_names_trgm ON providers USING gin (trade_names_text(trade_names) gin_trgm_ops)`,
    );
    await q.query(`CREATE INDEX providers_website_trgm ON providers USING gin (lower(website) gin_trgm_ops)`);
    await q.query(`CREATE INDEX providers_vat_number_idx ON providers (vat_number)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX providers_vat_number_idx`);
    await q.query(`DROP INDEX providers_website_trgm`);
    await q.query(`DROP INDEX providers_trade_names_trgm`);
    await q.query(`DROP INDEX providers_legal_name_trgm`);
    await q.query(`DROP FUNCTION trade_names_text(text[])`);
    await q.query(`DROP TABLE provider_status`);
  }
}

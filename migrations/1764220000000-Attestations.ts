import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attestations (verklaringen): numbered from a sequence, stored once with their signed PDF and its
 * SHA-256, never changed or removed afterwards (the database refuses it). Their status is not
 * stored: it is computed by the status rules whenever someone asks.
 */
export class Attestations1764220000000 implements MigrationInterface {
  name = 'Attestations1764220000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE attestation_number_seq MINVALUE 1 MAXVALUE 999999 NO CYCLE`);
    await q.query(`
      CREATE TABLE attestations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL UNIQUE CONSTRAINT attestations_number_format CHECK (number ~ '^VHP-[0-9]{4}-[0-9]{6}$'),
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
        issued_at timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        issued_by text NOT NULL,
        -- The approval whose listing the attestation rests on.
        listing_event_id bigint NOT NULL REFERENCES status_events (id) ON DELETE RESTRICT,
        -- What the PDF states, as canonical JSON, and its SHA-256: the fingerprint printed on it.
        data jsonb NOT NULL,
        fingerprint char(64) NOT NULL CONSTRAINT attestations_fingerprint_hex CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
        pdf bytea NOT NULL,
        pdf_sha256 char(64) NOT NULL UNIQUE CONSTRAINT attestations_pdf_sha256_hex CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
        CONSTRAINT attestations_validity CHECK (valid_until > issued_at)
      )`);
    await q.query(`CREATE INDEX attestations_provider_idx ON attestations (provider_id, issued_at)`);
    await q.query(`
      CREATE TRIGGER attestations_append_only BEFORE UPDATE OR DELETE ON attestations
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`
      CREATE TRIGGER attestations_no_truncate BEFORE TRUNCATE ON attestations
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attestations`);
    await q.query(`DROP SEQUENCE attestation_number_seq`);
  }
}

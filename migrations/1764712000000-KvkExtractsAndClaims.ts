import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17: the evidence of who an organisation is. A KvK extract (an extract from the Business
 * Register: PDF, PNG or JPEG) is kept with its SHA-256, either of a provider (a reviewer checked it
 * and confirmed the organisation's identity) or of a claim. A claim is the way forward for the real
 * owner of a KvK number someone else registered: their contact details and extract, confirmed by
 * a single-use link to their address before it reaches a reviewer, who approves or rejects it. The
 * claimant's details are personal data: nothing public reads these tables.
 */
export class KvkExtractsAndClaims1764712000000 implements MigrationInterface {
  name = 'KvkExtractsAndClaims1764712000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisation_claims (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kvk_number char(8) NOT NULL CONSTRAINT organisation_claims_kvk_format CHECK (kvk_number ~ '^[0-9]{8}$'),
        claimant_name text NOT NULL,
        email text NOT NULL,
        phone text NOT NULL,
        company_role text NOT NULL,
        message text NOT NULL DEFAULT '',
        confirm_token_hash char(64) NOT NULL UNIQUE,
        confirm_expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        confirmed_at timestamptz,
        provider_id uuid REFERENCES providers (id) ON DELETE RESTRICT,
        decision text CONSTRAINT organisation_claims_decision_known
          CHECK (decision IN ('approved', 'rejected', 'no_organisation')),
        decided_at timestamptz,
        decided_by text,
        decision_reason text,
        user_id uuid REFERENCES users (id) ON DELETE RESTRICT,
        CONSTRAINT organisation_claims_decided_once CHECK ((decision IS NULL) = (decided_at IS NULL)),
        CONSTRAINT organisation_claims_decided_after_confirmation
          CHECK (decision IS NULL OR decision = 'no_organisation' OR confirmed_at IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX organisation_claims_provider_idx ON organisation_claims (provider_id, created_at)`,
    );
    await q.query(`CREATE INDEX organisation_claims_kvk_idx ON organisation_claims (kvk_number, created_at)`);
    await q.query(`
      CREATE TABLE kvk_extracts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid REFERENCES providers (id) ON DELETE RESTRICT,
        claim_id uuid REFERENCES organisation_claims (id) ON DELETE RESTRICT,
        filename text NOT NULL,
        media_type text NOT NULL CONSTRAINT kvk_extracts_media_type_known
          CHECK (media_type IN ('application/pdf', 'image/png', 'image/jpeg')),
        size integer NOT NULL CONSTRAINT kvk_extracts_size_limit CHECK (size > 0 AND size <= 10485760),
        sha256 char(64) NOT NULL CONSTRAINT kvk_extracts_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content bytea NOT NULL,
        uploaded_by text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT kvk_extracts_size_matches CHECK (octet_length(content) = size),
        CONSTRAINT kvk_extracts_of_one CHECK ((provider_id IS NULL) <> (claim_id IS NULL))
      )`);
    await q.query(
      `CREATE INDEX kvk_extracts_provider_idx ON kvk_extracts (provider_id) WHERE provider_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX kvk_extracts_claim_idx ON kvk_extracts (claim_id) WHERE claim_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE kvk_extracts`);
    await q.query(`DROP TABLE organisation_claims`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The register's core: providers, code-of-conduct versions, the append-only status history and
 * the hash-chained audit log. Every rule the database can hold, it holds.
 */
export class CoreSchema1764180000000 implements MigrationInterface {
  name = 'CoreSchema1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kvk_number char(8) NOT NULL CONSTRAINT providers_kvk_number_key UNIQUE
          CONSTRAINT providers_kvk_number_format CHECK (kvk_number ~ '^[0-9]{8}$'),
        legal_name text NOT NULL CONSTRAINT providers_legal_name_present CHECK (length(btrim(legal_name)) > 0),
        trade_names text[] NOT NULL DEFAULT '{}',
        vat_number text CONSTRAINT providers_vat_number_format CHECK (vat_number ~ '^NL[0-9]{9}B[0-9]{2}$'),
        street_address text NOT NULL,
        postcode text NOT NULL CONSTRAINT providers_postcode_format CHECK (postcode ~ '^[1-9][0-9]{3} [A-Z]{2}$'),
        city text NOT NULL,
        website text,
        abuse_email text NOT NULL CONSTRAINT providers_abuse_email_format CHECK (abuse_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
        as_numbers integer[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX providers_legal_name_idx ON providers (lower(legal_name), kvk_number)`);

    await q.query(`
      CREATE TABLE code_of_conduct_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        label text NOT NULL CONSTRAINT code_of_conduct_versions_label_key UNIQUE,
        title text NOT NULL,
        published_at timestamptz NOT NULL,
        transition_ends_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT code_of_conduct_versions_transition_after_publication CHECK (transition_ends_at >= published_at)
      )`);

    await q.query(`
      CREATE TABLE status_events (
        id bigserial PRIMARY KEY,
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
        kind text NOT NULL CONSTRAINT status_events_kind_known CHECK (kind IN (
          'application_submitted', 'application_withdrawn', 'application_rejected', 'listing_approved',
          'suspended', 'suspension_lifted', 'revoked', 'aan_participation_ended', 'aan_participation_resumed')),
        effective_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        reason text,
        valid_until timestamptz,
        code_of_conduct_version_id uuid REFERENCES code_of_conduct_versions (id) ON DELETE RESTRICT,
        code_signed_on date,
        aan_since timestamptz,
        suspended_until timestamptz,
        CONSTRAINT status_events_approval_complete CHECK (kind <> 'listing_approved' OR (
          valid_until IS NOT NULL AND code_of_conduct_version_id IS NOT NULL
          AND code_signed_on IS NOT NULL AND aan_since IS NOT NULL)),
        CONSTRAINT status_events_valid_until_after_effective CHECK (valid_until IS NULL OR valid_until > effective_at),
        CONSTRAINT status_events_suspension_end_after_start CHECK (suspended_until IS NULL OR suspended_until > effective_at),
        CONSTRAINT status_events_suspension_only CHECK (suspended_until IS NULL OR kind = 'suspended'),
        CONSTRAINT status_events_reason_required CHECK (
          kind NOT IN ('suspended', 'revoked', 'application_rejected') OR length(btrim(coalesce(reason, ''))) > 0)
      )`);
    await q.query(`CREATE INDEX status_events_provider_idx ON status_events (provider_id, effective_at, id)`);
    await q.query(`CREATE INDEX status_events_recorded_idx ON status_events (recorded_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        subject_type text NOT NULL,
        subject_id text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        prev_hash char(64) NOT NULL CONSTRAINT audit_events_prev_hash_format CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash char(64) NOT NULL CONSTRAINT audit_events_hash_key UNIQUE
          CONSTRAINT audit_events_hash_format CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX audit_events_subject_idx ON audit_events (subject_type, subject_id, id)`);

    // History is never rewritten: the database itself refuses to change or remove these rows.
    await q.query(`
      CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on % is not allowed: the table is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_events', 'status_events']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE status_events`);
    await q.query(`DROP TABLE code_of_conduct_versions`);
    await q.query(`DROP TABLE providers`);
    await q.query(`DROP FUNCTION refuse_change()`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each completed verification of the audit chain vouched for: the newest event it checked (id
 * and hash), how many events the log held up to it, when, by whom and how (whole log or continuing
 * from an earlier verification). Written only by a verification that found the chain intact; an
 * incremental `audit:verify` continues from the newest row. Append-only like the audit log itself,
 * and deliberately without a foreign key: a verification must notice its event gone, not lose it.
 */
export class AuditVerifications1764660000000 implements MigrationInterface {
  name = 'AuditVerifications1764660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_verifications (
        id bigserial PRIMARY KEY,
        verified_at timestamptz NOT NULL,
        verified_by text NOT NULL,
        mode text NOT NULL CONSTRAINT audit_verifications_mode CHECK (mode IN ('full', 'incremental')),
        from_event_id bigint,
        head_event_id bigint NOT NULL,
        head_hash char(64) NOT NULL CONSTRAINT audit_verifications_head_hash_format CHECK (head_hash ~ '^[0-9a-f]{64}$'),
        event_count bigint NOT NULL CONSTRAINT audit_verifications_event_count_positive CHECK (event_count > 0),
        checked bigint NOT NULL CONSTRAINT audit_verifications_checked_not_negative CHECK (checked >= 0),
        milliseconds integer NOT NULL,
        CONSTRAINT audit_verifications_from_only_incremental CHECK ((mode = 'incremental') = (from_event_id IS NOT NULL)),
        CONSTRAINT audit_verifications_from_not_after_head CHECK (from_event_id IS NULL OR from_event_id <= head_event_id)
      )`);
    await q.query(`
      CREATE TRIGGER audit_verifications_append_only BEFORE UPDATE OR DELETE ON audit_verifications
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_verifications_no_truncate BEFORE TRUNCATE ON audit_verifications
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_verifications`);
  }
}

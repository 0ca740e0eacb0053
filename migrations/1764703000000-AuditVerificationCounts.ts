import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An intact verification also records how many status events and attestations the log holds up to
 * its head (the live tables held as many, row for row): an incremental `audit:verify` checks the
 * rows of the new events and that the tables hold the anchor's counts plus the new events, without
 * reading the log before the anchor. Null for verifications from before, and for breaks.
 */
export class AuditVerificationCounts1764703000000 implements MigrationInterface {
  name = 'AuditVerificationCounts1764703000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_verifications
        ADD COLUMN status_event_count bigint CONSTRAINT audit_verifications_status_event_count_not_negative
          CHECK (status_event_count >= 0),
        ADD COLUMN attestation_count bigint CONSTRAINT audit_verifications_attestation_count_not_negative
          CHECK (attestation_count >= 0),
        ADD CONSTRAINT audit_verifications_counts_together CHECK ((status_event_count IS NULL) = (attestation_count IS NULL)),
        ADD CONSTRAINT audit_verifications_counts_only_intact CHECK (problem IS NULL OR status_event_count IS NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_verifications
        DROP CONSTRAINT audit_verifications_counts_only_intact,
        DROP CONSTRAINT audit_verifications_counts_together,
        DROP COLUMN attestation_count,
        DROP COLUMN status_event_count`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A verification that found the chain broken is recorded too: the event and the problem, and no
 * head (it vouches for nothing). An incremental `audit:verify` continues from the newest intact row
 * only, and fails while a break is recorded after the newest intact full verification: a broken
 * log stays broken until `audit:verify --full` finds it intact again.
 */
export class AuditVerificationBreaks1764664000000 implements MigrationInterface {
  name = 'AuditVerificationBreaks1764664000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_verifications
        ADD COLUMN broken_event_id bigint,
        ADD COLUMN problem text CONSTRAINT audit_verifications_problem
          CHECK (problem IN ('content_mismatch', 'predecessor_mismatch', 'anchor_missing', 'anchor_mismatch')),
        ALTER COLUMN head_event_id DROP NOT NULL,
        ALTER COLUMN head_hash DROP NOT NULL,
        ALTER COLUMN event_count DROP NOT NULL,
        ADD CONSTRAINT audit_verifications_broken_or_head CHECK (
          CASE WHEN problem IS NULL
            THEN broken_event_id IS NULL AND head_event_id IS NOT NULL AND head_hash IS NOT NULL AND event_count IS NOT NULL
            ELSE broken_event_id IS NOT NULL AND head_event_id IS NULL AND head_hash IS NULL AND event_count IS NULL
          END)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_verifications DISABLE TRIGGER audit_verifications_append_only`);
    await q.query(`DELETE FROM audit_verifications WHERE problem IS NOT NULL`);
    await q.query(`ALTER TABLE audit_verifications ENABLE TRIGGER audit_verifications_append_only`);
    await q.query(`
      ALTER TABLE audit_verifications
        DROP CONSTRAINT audit_verifications_broken_or_head,
        DROP COLUMN broken_event_id,
        DROP COLUMN problem,
        ALTER COLUMN head_event_id SET NOT NULL,
        ALTER COLUMN head_hash SET NOT NULL,
        ALTER COLUMN event_count SET NOT NULL`);
  }
}
